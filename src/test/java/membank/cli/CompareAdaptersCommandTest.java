package membank.cli;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.model.SafeTensors;
import membank.train.InjectionResult;

/**
 * compare-adapters on two toy bases trained on the same people, one with a routed bank and one
 * without: every method at two budgets, a second seed added by a rerun that skips what is done,
 * each method's result applied on eval, score and generate; the recipe presets; --freeze under
 * full fine-tuning; and the refusals.
 */
class CompareAdaptersCommandTest {
    private static final String SMALL_BATCH = "training.batch_size=2";
    private static final String SHORT_ROWS = "training.seq_len=32";
    private static final String BANK = "model.memory.banks.0.weight";
    @TempDir
    static Path tmp;
    static Path memory;
    static Path plain;

    @BeforeAll
    static void trainToyBases() {
        memory = train("memory", "--set", "membank.chapters={\"count\":4,\"top_k\":2,\"routing\":\"token\"}");
        plain = train("plain", "--set", "membank=null");
    }

    private static Path train(String name, String... extra) {
        Path dir = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--preset", "tiny", "--steps", "2", "--out", dir.toString(),
                "--precision", "fp32", "--set", "training.data.entities=8", "--set", "training.eval_every=0", "--set",
                SMALL_BATCH, "--set", SHORT_ROWS, "--set", "training.data.tokenizer=word"));
        args.addAll(Arrays.asList(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return dir;
    }

    private static CliRun compare(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("compare-adapters", "--base", memory.toString(), "--base", plain.toString(),
                "--steps", "2", "--generate", "4", "--precision", "fp32", "--out", out.toString(), "--set", SMALL_BATCH,
                "--set", SHORT_ROWS, "--set", "training.eval_batches=1", "--set", "membank.num_tokens=32", "--top-t", "8",
                "--access-top-k", "2", "--background-batches", "2", "--chapters", "{\"count\":4,\"top_k\":2,\"routing\":\"token\"}"));
        args.addAll(Arrays.asList(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<String> firstColumns(String table) {
        return table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| method"))
                .map(l -> l.split("\\|")[1].trim() + "/" + l.split("\\|")[2].trim() + "/" + l.split("\\|")[3].trim()).toList();
    }

    @Test
    void everyMethodAtEveryBudgetThenASecondSeedSkipsWhatIsDone() throws Exception {
        Path out = tmp.resolve("compare");
        Path report = tmp.resolve("docs/results.md");
        Files.createDirectories(report.getParent());
        CliRun r = compare(out, "--budgets", "1,2", "--report", report.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> rows = firstColumns(r.out());
        assertEquals("base/plain/-", rows.get(0), r.out());
        assertEquals("base/memory/-", rows.get(1), r.out());
        for (String budget : List.of("1x (2 steps", "2x (4 steps")) {
            for (String unit : List.of("memory/plain", "memory-routed/plain", "lora/plain", "memory+lora/plain",
                    "sparse-memory/memory", "full/plain", "full/memory")) {
                assertTrue(rows.stream().anyMatch(row -> row.startsWith(unit + "/" + budget)), unit + " at " + budget + ": " + r.out());
            }
        }
        assertEquals(2 + 14, InjectionResult.results(out).read().size());
        assertTrue(Files.size(out.resolve("tradeoff.png")) > 1000);
        assertTrue(Files.size(tmp.resolve("docs/results-tradeoff.png")) > 1000, "the plot goes beside the report");
        String markdown = Files.readString(report);
        assertTrue(markdown.contains("](results-tradeoff.png)") && markdown.contains("--budgets 1,2"), markdown);

        CliRun again = compare(out, "--budgets", "1,2", "--seeds", "0,1", "--methods", "lora,sparse-memory");
        assertEquals(0, again.exit(), again.err());
        assertFalse(again.err().contains("seed 0: training"), "seed 0 was measured already: " + again.err());
        assertTrue(again.err().contains("lora on the plain base, 2x budget (4 steps), seed 1: training"), again.err());
        List<InjectionResult> results = InjectionResult.results(out).read();
        assertEquals(2 + 14 + 4, results.size());
        assertTrue(again.out().contains(" ± "), "two seeds have a spread: " + again.out());
        for (InjectionResult u : results) {
            assertTrue(u.knownKept() >= 0 && u.knownKept() <= 1 && u.tokens() == 64L * u.steps(), u.toString());
        }
        CliRun only = CliRun.of("compare-adapters", "--out", out.toString(), "--report-only");
        assertEquals(0, only.exit(), only.err());
        assertEquals(firstColumns(again.out()), firstColumns(only.out()), "the same table from results.jsonl alone");
        assertFalse(only.err().contains("training"), only.err());
        CliRun nothing = CliRun.of("compare-adapters", "--out", tmp.resolve("empty").toString(), "--report-only");
        assertEquals(1, nothing.exit());
        assertTrue(nothing.err().contains("holds no results"), nothing.err());
        appliesEveryMethod(out.resolve("1x"));
    }

    /** Each adapter applies to its base with --adapter on eval, score and generate; full's result is a model. */
    private static void appliesEveryMethod(Path units) {
        Map<String, Path> adapters = Map.of("plain/memory", plain, "plain/memory-routed", plain, "plain/lora", plain,
                "plain/memory-lora", plain, "memory/sparse-memory", memory);
        adapters.forEach((unit, base) -> {
            String adapter = units.resolve(unit).resolve("seed-0").toString();
            for (String[] command : List.of(
                    new String[] {"eval", "--model", base.toString(), "--adapter", adapter, "--max-batches", "1"},
                    new String[] {"score", "--model", base.toString(), "--adapter", adapter, "--text", "Ada was born in"},
                    new String[] {"generate", "--model", base.toString(), "--adapter", adapter, "--prompt", "Ada",
                            "--max-tokens", "3", "--temperature", "0"})) {
                CliRun run = CliRun.of(command);
                assertEquals(0, run.exit(), unit + " " + command[0] + ": " + run.err());
            }
        });
        for (String kind : List.of("plain", "memory")) {
            CliRun gen = CliRun.of("generate", "--model", units.resolve(kind + "/full/seed-0").toString(), "--prompt", "Ada",
                    "--max-tokens", "3", "--temperature", "0");
            assertEquals(0, gen.exit(), gen.err());
        }
    }

    @Test
    void theRecipePresetsTrainAFewSteps() {
        for (String preset : List.of("base-memory", "base-nomem")) {
            Path dir = tmp.resolve(preset);
            CliRun r = CliRun.of("train", "--preset", preset, "--steps", "2", "--out", dir.toString(), "--precision", "fp32",
                    "--set", "training.eval_batches=1");
            assertEquals(0, r.exit(), r.err());
            assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("tokenizer.json")));
        }
    }

    @Test
    void fullFineTuningWithFreezeBankKeepsTheBase_sBank() {
        Path out = tmp.resolve("full-frozen");
        CliRun r = CliRun.of("adapt", "--base", memory.toString(), "--method", "full", "--freeze", "bank", "--steps", "2",
                "--precision", "fp32", "--out", out.toString(), "--set", SMALL_BATCH, "--set", SHORT_ROWS,
                "--set", "training.data.knowledge_seed=7", "--set", "training.lr=1e-2");
        assertEquals(0, r.exit(), r.err());
        Map<String, Tensor> before = SafeTensors.read(memory.resolve("model.safetensors"));
        Map<String, Tensor> after = SafeTensors.read(out.resolve("model.safetensors"));
        assertTrue(equal(before.get(BANK), after.get(BANK)), "--freeze bank keeps the bank bit for bit");
        assertFalse(equal(before.get("model.embed_tokens.weight"), after.get("model.embed_tokens.weight")),
                "the rest trains");
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        CliRun lora = CliRun.of("adapt", "--base", plain.toString(), "--method", "lora", "--freeze", "bank",
                "--out", tmp.resolve("x1").toString());
        assertEquals(1, lora.exit());
        assertTrue(lora.err().contains("--freeze bank") && lora.err().contains("trains no memory"), lora.err());
        CliRun full = CliRun.of("adapt", "--base", plain.toString(), "--method", "full", "--freeze", "bank+kv",
                "--out", tmp.resolve("x2").toString());
        assertEquals(1, full.exit());
        assertTrue(full.err().contains("no bank to keep"), full.err());
        CliRun twins = CliRun.of("compare-adapters", "--base", plain.toString(), "--base", plain.toString(),
                "--out", tmp.resolve("x3").toString());
        assertEquals(1, twins.exit());
        assertTrue(twins.err().contains("both have no memory") && twins.err().contains("base-memory"), twins.err());
        Path others = train("others", "--set", "membank=null", "--set", "training.data.knowledge_seed=5");
        CliRun people = CliRun.of("compare-adapters", "--base", memory.toString(), "--base", others.toString(),
                "--out", tmp.resolve("x4").toString(), "--set", SMALL_BATCH, "--set", SHORT_ROWS);
        assertEquals(1, people.exit());
        assertTrue(people.err().contains("the same people"), people.err());
        CliRun budgets = CliRun.of("compare-adapters", "--base", plain.toString(), "--budgets", "1,0");
        assertEquals(1, budgets.exit());
        assertTrue(budgets.err().contains("--budgets [1, 0]") && budgets.err().contains("positive"), budgets.err());
        CliRun seeds = CliRun.of("compare-adapters", "--base", plain.toString(), "--seeds", "3,3");
        assertEquals(1, seeds.exit());
        assertTrue(seeds.err().contains("--seeds [3, 3]") && seeds.err().contains("distinct"), seeds.err());
        CliRun method = CliRun.of("compare-adapters", "--base", plain.toString(), "--methods", "prefix");
        assertEquals(1, method.exit());
        assertTrue(method.err().contains("prefix") && method.err().contains("memory-routed"), method.err());
        assertFalse(Files.exists(tmp.resolve("x1")) || Files.exists(tmp.resolve("x2")), "refused runs write nothing");
    }
}
