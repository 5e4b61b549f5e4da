package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.nn.Precision;

/** A tiny two-arm, two-phase experiment end to end, interrupted and resumed. */
class ExperimentRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TINY = """
            {"name": "tiny",
             "base": {"preset": "tiny", "set": ["membank.num_tokens=2048", "membank.chapters={\\"count\\": 8, \\"top_k\\": 2}",
                      "training.data.entities=4",
                      "training.eval_every=0", "training.save_every=2", "training.warmup_steps=1", "training.precision=fp32"]},
             "arms": [{"kind": "memory"}, {"kind": "iso-flop"}, {"kind": "frozen-bank"}],
             "phases": {"pretrain": {"steps": 4, "lr": 3e-3},
                        "instruct": {"steps": 3, "lr": 1e-3, "bank_lr": 1e-4, "entities": 4}},
             "seeds": [0],
             "eval": {"batches": 1}}
            """;

    @TempDir
    Path tmp;

    static ExperimentFiles.Source source(String json) throws Exception {
        return new ExperimentFiles.Source(JSON.readTree(json), "test.json");
    }

    private static ExperimentRunner runner(Path dir) throws Exception {
        return ExperimentRunner.open(source(TINY), dir, Precision.resolve("fp32"), line -> { }).quiet();
    }

    @Test
    void runsEndToEndAndResumesToTheSameReport() throws Exception {
        Path whole = tmp.resolve("whole");
        List<UnitResult> results = runner(whole).run("membank experiment run tiny.json");
        assertEquals(6, results.size());
        // frozen-bank pretrains exactly as memory does, so it reuses that run
        assertEquals(results.get(0).valLoss(), results.stream().filter(r -> r.is("", "frozen-bank", 0, Phase.PRETRAIN))
                .findFirst().orElseThrow().valLoss());
        assertTrue(Files.notExists(ExperimentRunner.unitDir(whole, "", "frozen-bank", 0, Phase.PRETRAIN)));
        for (String file : List.of("report.md", "results.jsonl", "loss-pretrain.png", "loss-instruct.png", "recall.png",
                "experiment.json", "data/instruct.jsonl")) {
            assertTrue(Files.isRegularFile(whole.resolve(file)), file);
        }
        String report = Files.readString(whole.resolve("report.md"));
        assertTrue(report.contains("val loss after pretrain: memory"), report);
        assertTrue(report.contains("| iso-flop | instruct | 1 |"), report);

        // Interrupted in the middle of the first unit (after its step-2 checkpoint), then rerun.
        Path interrupted = tmp.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> runner(interrupted).interruptAtStep(2).run("c"));
        assertEquals(0, UnitResult.results(interrupted).read().size());
        // Interrupted again after the first unit is stored.
        assertThrows(IllegalStateException.class, () -> runner(interrupted).afterUnit(r -> {
            throw new IllegalStateException("stop");
        }).run("membank experiment run tiny.json"));
        assertEquals(1, UnitResult.results(interrupted).read().size());
        runner(interrupted).run("membank experiment run tiny.json");
        String resumed = Files.readString(interrupted.resolve("report.md"));
        assertEquals(withoutSpeed(results(report)), withoutSpeed(results(resumed)));

        // A lost record is measured again from the unit's final checkpoint: the report is unchanged.
        Path file = UnitResult.results(interrupted).file();
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - 1));
        runner(interrupted).run("membank experiment run tiny.json");
        assertEquals(resumed, Files.readString(interrupted.resolve("report.md")));
        assertEquals(resumed, ExperimentReport.write(interrupted));
    }

    /** A capacity-style sweep over people: pretraining only, a budget in exposures, an iso-parameter arm. */
    static final String SWEEP = """
            {"name": "sweep",
             "base": {"preset": "tiny", "set": ["membank.num_tokens=2048", "training.data.tokenizer=word",
                      "training.batch_size=4", "training.seq_len=32",
                      "training.eval_every=0", "training.save_every=2", "training.warmup_steps=1", "training.precision=fp32"]},
             "sweep": {"name": "people", "key": "training.data.entities", "values": [3, 6]},
             "arms": [{"kind": "memory"}, {"kind": "iso-param"}, {"kind": "backbone"}],
             "phases": {"pretrain": {"exposures": 2, "lr": 3e-3}},
             "seeds": [0, 1],
             "eval": {"batches": 1}}
            """;

    @Test
    void sweepsWithExposureBudgetsAndResumesToTheSameReport() throws Exception {
        Path whole = tmp.resolve("whole");
        List<UnitResult> results = ExperimentRunner.open(source(SWEEP), whole, Precision.resolve("fp32"), line -> { }).quiet()
                .run("membank experiment run sweep.json");
        assertEquals(12, results.size());
        for (UnitResult r : results) {
            assertTrue(r.exposures() >= 2 && r.exposures() < 3, r.toString());
            assertTrue(r.knowledgeBits() >= 0 && Double.isNaN(r.knownKept()) && Double.isNaN(r.bitsPerByte()), r.toString());
        }
        UnitResult memory = results.stream().filter(r -> r.is("6", "memory", 0, Phase.PRETRAIN)).findFirst().orElseThrow();
        UnitResult dense = results.stream().filter(r -> r.is("6", "iso-param", 0, Phase.PRETRAIN)).findFirst().orElseThrow();
        assertEquals(1.0, dense.params() / (double) memory.params(), IsoFlopBaseline.TOLERANCE);
        // twice the people, twice the tokens for the same exposures
        UnitResult small = results.stream().filter(r -> r.is("3", "memory", 0, Phase.PRETRAIN)).findFirst().orElseThrow();
        assertEquals(2.0, memory.tokens() / (double) small.tokens(), 0.25);
        assertTrue(Files.isDirectory(ExperimentRunner.unitDir(whole, "6", "backbone", 1, Phase.PRETRAIN)));
        String report = Files.readString(whole.resolve("report.md"));
        for (String part : List.of("## Knowledge stored", "| people | arm | phase | seeds | exposures |", "sweep-recall.png",
                "fact recall after pretraining at people 6: memory", "fact recall of memory: ")) {
            assertTrue(report.contains(part), part + " in\n" + report);
        }
        for (String file : List.of("sweep-recall.png", "sweep-bits.png", "sweep-loss.png", "loss-pretrain.png")) {
            assertTrue(Files.isRegularFile(whole.resolve(file)), file);
        }

        Path interrupted = tmp.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> ExperimentRunner.open(source(SWEEP), interrupted, Precision.resolve("fp32"),
                line -> { }).quiet().afterUnit(r -> {
                    if (r.point().equals("6")) {
                        throw new IllegalStateException("stop");
                    }
                }).run("membank experiment run sweep.json"));
        assertEquals(7, UnitResult.results(interrupted).read().size());
        ExperimentRunner.open(source(SWEEP), interrupted, Precision.resolve("fp32"), line -> { }).quiet()
                .run("membank experiment run sweep.json");
        assertEquals(withoutSpeed(results(report)), withoutSpeed(results(Files.readString(interrupted.resolve("report.md")))));
    }

    /** Text data: bits per byte instead of recall, and arms trained to equal FLOPs. */
    @Test
    void textDataAtEqualFlopsReportsBitsPerByte() throws Exception {
        Path text = tmp.resolve("corpus.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            b.append("Line ").append(i).append(": the quick brown fox jumps over the lazy dog number ").append(i % 7).append(".\n");
        }
        Files.writeString(text, b);
        String json = """
                {"name": "text",
                 "base": {"preset": "tiny", "set": ["membank.num_tokens=2048", "training.data.kind=text",
                          "training.data.path=%s", "training.batch_size=4", "training.seq_len=32",
                          "training.eval_every=0", "training.save_every=0", "training.warmup_steps=1", "training.precision=fp32"]},
                 "arms": [{"kind": "memory"}, {"kind": "backbone"}],
                 "phases": {"pretrain": {"flops": 3e10, "lr": 3e-3}},
                 "seeds": [0],
                 "eval": {"batches": 1}}
                """.formatted(text.toString().replace("\\", "/"));
        List<UnitResult> results = ExperimentRunner.open(source(json), tmp.resolve("run"), Precision.resolve("fp32"), line -> { })
                .quiet().run("membank experiment run text.json");
        UnitResult memory = results.get(0);
        UnitResult backbone = results.get(1);
        assertTrue(backbone.steps() > memory.steps(), results.toString());
        for (UnitResult r : results) {
            assertEquals(3e10, r.trainFlops(), r.flopsPerToken() * 4 * 32);
            assertTrue(Double.isNaN(r.recall()), r.toString());
            // the byte tokenizer: a token is a byte, apart from the EOS ids between documents
            assertEquals(r.valLoss() / Math.log(2), r.bitsPerByte(), 0.05 * r.bitsPerByte());
        }
        String report = Files.readString(tmp.resolve("run").resolve("report.md"));
        assertTrue(report.contains("bits per byte: memory"), report);
        assertTrue(!results(report).contains("fact recall"), report);
    }

    @Test
    void keptShareCountsOnlyWhatWasKnown() {
        boolean[] before = {true, true, false, true, false};
        boolean[] after = {true, false, true, true, false};
        assertEquals(2 / 3.0, RecalledFacts.keptShare(before, after), 1e-12);
        assertTrue(Double.isNaN(RecalledFacts.keptShare(new boolean[] {false}, new boolean[] {true})));
    }

    @Test
    void refusesADirectoryOfAnotherExperimentFile() throws Exception {
        Path dir = tmp.resolve("run");
        ExperimentRunner.open(source(TINY), dir, Precision.resolve("fp32"), line -> { });
        String other = TINY.replace("\"steps\": 4", "\"steps\": 5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentRunner.open(source(other), dir, Precision.resolve("fp32"), line -> { }));
        assertTrue(e.getMessage().contains("different experiment file"), e.getMessage());
    }

    @Test
    void instructDataAsksAboutOtherPeopleOnly() throws Exception {
        var knowledge = membank.data.KnowledgeSet.generate(new membank.data.KnowledgeSpec(30, 0));
        var pairs = InstructData.pairs(knowledge, 30);
        var names = knowledge.entities().stream().map(membank.data.Entity::name).collect(Collectors.toSet());
        for (var pair : pairs) {
            assertTrue(names.stream().noneMatch(n -> pair.question().contains(n)), pair.question());
        }
        assertEquals("Question: " + pairs.get(0).question() + "\nAnswer: " + pairs.get(0).answer(), InstructData.render(pairs.get(0)));
        assertEquals(" " + pairs.get(0).answer(), InstructData.probe(pairs.get(0)).answer());
    }

    /** The results table of a report. */
    private static String results(String report) {
        int from = report.indexOf("## Results");
        return report.substring(from, report.indexOf("## Plots", from));
    }

    /** Drops the tokens/s column (wall-clock speed differs between runs). */
    static String withoutSpeed(String table) {
        String header = table.lines().filter(l -> l.contains("tokens/s")).findFirst().orElseThrow();
        int column = List.of(header.split("\\|", -1)).indexOf(" tokens/s ");
        return table.lines().map(line -> {
            String[] cells = line.split("\\|", -1);
            if (cells.length > column) {
                cells[column] = "";
            }
            return String.join("|", cells);
        }).collect(Collectors.joining("\n"));
    }

    static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }
}
