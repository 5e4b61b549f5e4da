package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench memory --quick} runs in-process on tiny banks and prints a table, the targets and a PNG. */
class BenchMemoryCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickRunPrintsTheTableAndWritesTheChart() throws Exception {
        Path png = tmp.resolve("bench-memory.png");
        // A 10 MB budget is too small for dense training at 4,096 tokens (16 MB of scores), so the
        // comparison row runs with fewer positions and is extrapolated.
        CliRun r = CliRun.of("bench", "memory", "--quick", "--no-fork", "--steps", "1", "--warmup", "0",
                "--precision", "fp32", "--max-gb", "0.01", "--png", png.toString());
        assertEquals(0, r.exit(), r.err());
        long rows = r.out().lines().filter(l -> l.matches("\\| [0-9,]+ \\| (dense|sequence|prefix|token) \\|.*")).count();
        assertEquals(8, rows, r.out());
        assertTrue(r.out().contains("| 4,096 | token |"), r.out());
        assertTrue(r.out().contains("extrapolated linearly"), r.out());
        assertTrue(r.out().contains("(a) routed cost growth"), r.out());
        assertTrue(r.out().contains("(d) routed vs dense"), r.out());
        assertTrue(!r.out().contains("failed"), r.out());
        assertTrue(Files.size(png) > 1000, "chart " + png);
    }

    @Test
    void oneRowInAChildJvmIsKeptAndReused() {
        String[] args = {"bench", "memory", "--quick", "--sizes", "1024", "--modes", "token", "--steps", "1",
                "--warmup", "0", "--precision", "fp32", "--png", tmp.resolve("one.png").toString(),
                "--results", tmp.resolve("rows.txt").toString()};
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| 1,024 | token |"), r.out());
        assertTrue(!r.out().contains("failed"), r.out() + r.err());
        CliRun again = CliRun.of(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("(from "), again.err());
        assertEquals(table(r.out()), table(again.out()));
    }

    private static String table(String out) {
        return String.join("\n", out.lines().filter(l -> l.startsWith("| 1,024")).toList());
    }
}
