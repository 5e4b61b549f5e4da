package membank.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import membank.bench.MemoryBenchmark.Measured;
import membank.bench.MemoryBenchmark.Plan;
import membank.bench.MemoryBenchmark.Setup;
import membank.util.ResultsFile;

/**
 * The measured rows of {@code bench memory --results FILE}, a {@link ResultsFile}: one
 * {@link Row} a line (the setup's name and what the row measured), added as each completes. A later
 * run with the same setup reuses the rows it finds instead of measuring them again.
 */
public final class KeptRows {
    /** One line of the file. */
    public record Row(String setup, Measured measured) {
    }

    private final ResultsFile<Row> file;
    private final String setup;

    public KeptRows(Path file, Setup setup) {
        this.file = new ResultsFile<>(file, "a bench memory row", ResultsFile.bound(Row.class));
        this.setup = "bench memory " + setup;
    }

    /** Wraps a runner: plans found in the file are read back, the others run and are added. */
    public Function<Plan, Measured> around(Function<Plan, Measured> runner, PrintWriter log) {
        Map<String, Measured> known = read();
        return plan -> {
            Measured done = known.get(key(plan));
            if (done != null) {
                log.println("  (from " + file.file() + ")");
                return done;
            }
            Measured measured = runner.apply(plan);
            file.append(new Row(setup, measured));
            return measured;
        };
    }

    private Map<String, Measured> read() {
        Map<String, Measured> known = new HashMap<>();
        refuseTextRows();
        List<Row> rows = file.read();
        for (Row row : rows) {
            if (!row.setup().equals(setup)) {
                throw new IllegalArgumentException("--results " + file.file() + " was written with other options ("
                        + row.setup() + "); use another file or the same options");
            }
            Measured m = row.measured();
            known.put(key(new Plan(m.bankTokens(), m.mode(), m.trainPositions(), m.forwardPositions())), m);
        }
        return known;
    }

    /** Rows kept by membank before the results file was JSON Lines: a header line, then space-separated rows. */
    private void refuseTextRows() {
        try {
            if (Files.isRegularFile(file.file()) && Files.readString(file.file(), StandardCharsets.UTF_8).startsWith("# bench memory")) {
                throw new IllegalArgumentException("--results " + file.file() + " holds rows in the text format of an"
                        + " earlier membank; use another file (the rows are measured again)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.file(), e);
        }
    }

    private static String key(Plan p) {
        return p.bankTokens() + ":" + p.mode() + ":" + p.trainPositions() + ":" + p.forwardPositions();
    }
}
