package membank.cli;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



import membank.config.Presets;
import membank.data.ByteTokenizer;
import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.model.ParameterRole;

/** generate and inspect run in-process against a tiny untrained model (the "tiny" preset, byte tokenizer). */
class GenerateCommandTest {
    @TempDir
    static Path tmp;
    private static Path modelDir;
    private static Map<ParameterRole, Long> counts;

    @BeforeAll
    static void writeTinyModel() throws Exception {
        manual_seed(3);
        MemoryLM model = new MemoryLM(Presets.model("tiny"));
        modelDir = tmp.resolve("tiny");
        Checkpoint.save(model, modelDir);
        ByteTokenizer.write(modelDir.resolve("tokenizer.json"));
        counts = ParameterRole.count(model);
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void generatePrintsTheContinuationAndTheSpeed() {
        CliRun r = run("generate", "--model", modelDir.toString(), "--prompt", "Ada was born in", "--max-tokens", "8",
                "--temperature", "0", "--no-stop");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().endsWith(System.lineSeparator()), r.out());
        assertTrue(r.out().length() > System.lineSeparator().length(), "no text was printed");
        assertTrue(r.err().contains("8 tokens in "), r.err());
        assertTrue(r.err().contains("tokens/s)"), r.err());
    }

    @Test
    void theSameSeedPrintsTheSameText() {
        String[] args = {"generate", "--model", modelDir.toString(), "--prompt", "Hello", "--max-tokens", "12", "--seed", "9"};
        assertEquals(run(args).out(), run(args).out());
    }

    @Test
    void tooManyTokensAreClampedWithANote() {
        CliRun r = run("generate", "--model", modelDir.toString(), "--prompt", "x".repeat(250), "--max-tokens", "20", "--no-stop");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("lowered to 6"), r.err());
        assertTrue(r.err().contains("6 tokens in "), r.err());
    }

    @Test
    void inspectPrintsCountsPlacementAndFlops() {
        CliRun r = run("inspect", "--model", modelDir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"hidden_size\" : 64"), r.out());
        for (ParameterRole role : ParameterRole.values()) {
            assertTrue(r.out().contains(String.format(Locale.ROOT, "%,d", counts.get(role))), role + " count missing:\n" + r.out());
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(r.out().matches("(?s).*total\\s+" + String.format(Locale.ROOT, "%,d", total) + "\\s.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+0\\s+no\\s+-\\s+-\\n.*"), "layer 0 line:\n" + r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+1\\s+yes\\s+0\\s+A\\n.*"), "layer 1 line:\n" + r.out());
        assertTrue(r.out().contains("forward FLOPs per token at seq_len 256"), "no training block: 256\n" + r.out());
    }

    @Test
    void inspectReadsAPresetWithOverridesWithoutWeights() {
        CliRun r = run("inspect", "--preset", "tiny", "--set", "membank.layers=[0,1]", "--set", "membank.sharing=per_layer",
                "--seq-len", "32");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*\\n\\s+1\\s+yes\\s+1\\s+A\\n.*"), r.out());
        assertTrue(r.out().contains("seq_len 32"), r.out());
    }

    /** Bank kinds compare by parameters, trainable parameters and stored bytes (quantised: codes + scales). */
    @Test
    void inspectReportsWhatEachBankKindStores() throws Exception {
        // tiny: one bank of 256 tokens at d = 64. int4 in groups of 32: 256 x 32 code bytes + 256 x 2 float32 scales.
        CliRun int4 = run("inspect", "--preset", "tiny", "--set", "membank.bank={\"quant\":\"int4\"}");
        assertEquals(0, int4.exit(), int4.err());
        assertTrue(int4.out().matches("(?s).*\\n\\s+bank\\s+16,896\\s+16,384\\s+10\\.0 KiB\\n.*"), int4.out());
        assertTrue(int4.out().contains("bank: dense, int4 in groups of 32, 40.0 B per memory token stored, 256.0 B while"
                + " training (float32)"), int4.out());
        CliRun factorized = run("inspect", "--preset", "tiny", "--set", "membank.bank={\"kind\":\"factorized\",\"rank\":8}",
                "--set", "membank.projection_rank=4");
        assertEquals(0, factorized.exit(), factorized.err());
        // A: 256 x 8, B: 64 x 8; per token (2,048 + 512) x 4 B / 256
        assertTrue(factorized.out().matches("(?s).*\\n\\s+bank\\s+2,560\\s+2,560\\s+10\\.0 KiB\\n.*"), factorized.out());
        assertTrue(factorized.out().contains("bank: factorized rank 8, memory projections of rank 4, 40.0 B per memory token"),
                factorized.out());

        // A saved int8 model: the checkpoint holds 256 x 64 codes and 256 scales.
        Path dir = tmp.resolve("tiny-int8");
        Checkpoint.save(new MemoryLM(Presets.model("tiny", "membank.bank={\"quant\":\"int8\"}")), dir);
        CliRun saved = run("inspect", "--model", dir.toString());
        assertEquals(0, saved.exit(), saved.err());
        assertTrue(saved.out().matches("(?s).*\\n\\s+bank\\s+16,640\\s+16,384\\s+17\\.0 KiB\\n.*"), saved.out());
        assertTrue(saved.out().contains("bank: dense, int8 per row, 68.0 B per memory token stored"), saved.out());
    }

    @Test
    void aMissingModelDirectoryExitsOneNamingThePath() {
        String missing = tmp.resolve("no-such-model").toString();
        for (String command : new String[] {"generate", "inspect"}) {
            CliRun r = command.equals("generate") ? run(command, "--model", missing, "--prompt", "x") : run(command, "--model", missing);
            assertEquals(1, r.exit(), command + ": " + r.err());
            assertTrue(r.err().contains(missing), command + ": " + r.err());
        }
    }

    @Test
    void badSamplingOptionsExitOne() {
        CliRun r = run("generate", "--model", modelDir.toString(), "--prompt", "x", "--top-p", "1.5");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("top-p"), r.err());
    }
}
