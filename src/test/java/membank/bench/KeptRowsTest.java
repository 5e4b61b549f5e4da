package membank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.bench.MemoryBenchmark.Measured;
import membank.bench.MemoryBenchmark.Plan;
import membank.bench.MemoryBenchmark.Setup;
import membank.nn.Precision;

/** bench memory --results: rows kept as a results file, reused by the same setup, refused by another. */
class KeptRowsTest {
    private static final Setup SETUP = new Setup(64, 4, 4, 16, 256, 4, 2, 32, "independent", Precision.FP32, 0, 1);
    private static final Plan PLAN = new Plan(1024, "token", 64, 64);

    @TempDir
    Path tmp;

    private static Measured measured(Plan p) {
        return new Measured(p.bankTokens(), p.mode(), p.trainPositions(), 12.5, 1.25, 1L << 30, p.forwardPositions(),
                3.0, Double.NaN, 1L << 29, 3, 16, Double.NaN);
    }

    @Test
    void aKeptRowIsReusedExactly() {
        Path file = tmp.resolve("rows.jsonl");
        List<Plan> ran = new ArrayList<>();
        Function<Plan, Measured> runner = p -> {
            ran.add(p);
            return measured(p);
        };
        Measured first = new KeptRows(file, SETUP).around(runner, new PrintWriter(new StringWriter())).apply(PLAN);
        StringWriter log = new StringWriter();
        Measured again = new KeptRows(file, SETUP).around(runner, new PrintWriter(log, true)).apply(PLAN);
        assertEquals(1, ran.size());
        assertEquals(first.toLine(), again.toLine());
        assertTrue(log.toString().contains("(from " + file + ")"), log.toString());
    }

    @Test
    void rowsOfOtherOptionsOrOfTheOldTextFormatAreRefused() throws Exception {
        Path file = tmp.resolve("rows.jsonl");
        new KeptRows(file, SETUP).around(KeptRowsTest::measured, new PrintWriter(new StringWriter())).apply(PLAN);
        Setup other = new Setup(64, 4, 4, 16, 256, 8, 2, 32, "independent", Precision.FP32, 0, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new KeptRows(file, other).around(KeptRowsTest::measured, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("was written with other options"), e.getMessage());

        Path text = tmp.resolve("rows.txt");
        Files.writeString(text, "# bench memory " + SETUP + "\n" + measured(PLAN).toLine() + "\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> new KeptRows(text, SETUP).around(KeptRowsTest::measured, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("text format of an earlier membank"), e.getMessage());
    }
}
