package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench context --quick} runs in-process and prints both tables, the target line and JSON. */
class BenchContextCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickRunPrintsTheTables() throws Exception {
        Path json = tmp.resolve("context.json");
        CliRun r = CliRun.of("bench", "context", "--quick", "--queries", "5", "--out", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| data | vectors | clusters | k-means build | probe | brute force ms/query"
                + " | clustered ms/query | speed-up | recall@16 |"), r.out());
        List<String> rows = r.out().lines().filter(l -> l.matches("\\| (mixture|random) \\| 20,000 \\| 141 \\| .*")).toList();
        assertEquals(6, rows.size(), r.out());
        for (String row : rows) {
            String[] cells = row.split("\\|");
            double recall = Double.parseDouble(cells[9].trim());
            assertTrue(recall > 0 && recall <= 1, row);
            assertTrue(cells[8].trim().endsWith("x"), row);
        }
        assertTrue(r.out().contains("| insert | 2,000 mixture vectors"), r.out());
        assertTrue(r.out().contains("| consolidate, approximate | 5,000 -> 2,500 mixture rows"), r.out());
        assertTrue(r.out().contains("| consolidate, exact | 300 -> 270 mixture rows"), r.out());
        assertTrue(r.out().contains("target (>= 10x faster than brute force at recall@16 >= 0.9)"), r.out());
        assertTrue(Files.readString(json).contains("\"insertSeconds\""));
    }

    @Test
    void badOptionsNameTheOption() {
        CliRun r = CliRun.of("bench", "context", "--quick", "--probe", "0");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--probe 0: must be >= 1"), r.err());
    }
}
