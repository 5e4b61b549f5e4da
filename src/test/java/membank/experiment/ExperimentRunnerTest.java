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
        assertEquals(results.get(0).valLoss(), results.stream().filter(r -> r.is("frozen-bank", 0, Phase.PRETRAIN))
                .findFirst().orElseThrow().valLoss());
        assertTrue(Files.notExists(ExperimentRunner.unitDir(whole, "frozen-bank", 0, Phase.PRETRAIN)));
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
        assertEquals(0, ResultsFile.read(interrupted).size());
        // Interrupted again after the first unit is stored.
        assertThrows(IllegalStateException.class, () -> runner(interrupted).afterUnit(r -> {
            throw new IllegalStateException("stop");
        }).run("membank experiment run tiny.json"));
        assertEquals(1, ResultsFile.read(interrupted).size());
        runner(interrupted).run("membank experiment run tiny.json");
        String resumed = Files.readString(interrupted.resolve("report.md"));
        assertEquals(withoutSpeed(results(report)), withoutSpeed(results(resumed)));

        // A lost record is measured again from the unit's final checkpoint: the report is unchanged.
        Path file = interrupted.resolve(ResultsFile.NAME);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - 1));
        runner(interrupted).run("membank experiment run tiny.json");
        assertEquals(resumed, Files.readString(interrupted.resolve("report.md")));
        assertEquals(resumed, ExperimentReport.write(interrupted));
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
    private static String withoutSpeed(String table) {
        return table.lines().map(line -> {
            String[] cells = line.split("\\|", -1);
            if (cells.length > 9) {
                cells[9] = "";
            }
            return String.join("|", cells);
        }).collect(Collectors.joining("\n"));
    }

    static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }
}
