package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.ConfigJson;
import membank.config.ModelConfig;
import membank.config.RunConfig;

/** {@code membank inspect}: the FLOP table per component and the iso-FLOP baselines. */
class InspectFlopsCommandTest {
    @TempDir
    Path tmp;

    /**
     * tiny: one memory layer reading 256 tokens of width 64 into 2 kv heads of 16; its K and V cost
     * 2 x 256 x 64 x 32 = 1,048,576 MAC per forward pass: over 8 x 64 tokens 2,048 MAC (4.1 KFLOP)
     * per token, over one sequence of 64 tokens 16,384 MAC (32.8 KFLOP).
     */
    @Test
    void printsForwardBackwardAndShareOfEachComponent() {
        CliRun r = CliRun.of("inspect", "--preset", "tiny");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("FLOPs per token at seq_len 64, forward passes of 8 sequences"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+embedding\\s+1\\s+0 FLOP\\s+0 FLOP\\s+0\\.0%\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+memory k/v of the bank\\s+1\\s+4\\.1 KFLOP\\s+8\\.2 KFLOP\\s.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+total\\s+\\S+ KFLOP\\s+\\S+ KFLOP\\s+100\\.0%\\n.*"), r.out());
        assertTrue(r.out().contains("forward FLOPs per token at seq_len 64, batch 8:"), r.out());

        CliRun one = CliRun.of("inspect", "--preset", "tiny", "--batch", "1");
        assertEquals(0, one.exit(), one.err());
        assertTrue(one.out().matches("(?s).*\\n\\s+memory k/v of the bank\\s+1\\s+32\\.8 KFLOP\\s+65\\.5 KFLOP\\s.*"), one.out());
    }

    @Test
    void isoFlopPrintsBothBaselinesAndWritesTheDeeperOne() throws Exception {
        Path dir = tmp.resolve("baseline");
        CliRun r = CliRun.of("inspect", "--preset", "small", "--iso-flop", "--write-baseline", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*\\n\\s+layers\\s+4\\s+10\\s+4\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+hidden\\s+256\\s+256\\s+384\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+ratio\\s+1\\.000\\s+0\\.988\\s+0\\.901\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+within 5%\\s+yes\\s+no\\n.*"), r.out());
        assertFalse(r.out().contains("\"membank\""), "the iso-FLOP view prints no config dump:\n" + r.out());

        JsonNode written = ConfigJson.read(dir.resolve("config.json"));
        RunConfig run = ConfigJson.parseRun(written);
        ModelConfig baseline = run.model();
        assertEquals(10, baseline.numHiddenLayers());
        assertEquals(256, baseline.hiddenSize());
        assertFalse(baseline.hasMemory());
        assertEquals(400, run.training().steps(), "the memory model's training block travels along");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only config.json, no temporary file left");
        }

        CliRun again = CliRun.of("inspect", "--preset", "small", "--iso-flop", "--write-baseline", dir.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void aWiderBaselineBeyond5PercentIsRefused() {
        Path dir = tmp.resolve("wider");
        CliRun r = CliRun.of("inspect", "--preset", "small", "--iso-flop", "--baseline", "wider", "--write-baseline",
                dir.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("no wider plain transformer trains within 5% of the memory model's 47,284,224 FLOPs"),
                r.err());
        assertTrue(r.err().contains("use --baseline deeper"), r.err());
        assertFalse(Files.exists(dir.resolve("config.json")));
    }

    @Test
    void misuseIsExplained() {
        CliRun noMemory = CliRun.of("inspect", "--preset", "small-nomem", "--iso-flop");
        assertEquals(1, noMemory.exit());
        assertTrue(noMemory.err().contains("no \"membank\" block"), noMemory.err());

        CliRun withoutIsoFlop = CliRun.of("inspect", "--preset", "small", "--baseline", "wider");
        assertEquals(1, withoutIsoFlop.exit());
        assertTrue(withoutIsoFlop.err().contains("add --iso-flop"), withoutIsoFlop.err());

        CliRun unknown = CliRun.of("inspect", "--preset", "small", "--iso-flop", "--baseline", "taller");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("--baseline taller: allowed: deeper, wider"), unknown.err());

        CliRun zero = CliRun.of("inspect", "--preset", "small", "--batch", "0");
        assertEquals(1, zero.exit());
        assertTrue(zero.err().contains("--batch must be >= 1"), zero.err());
    }
}
