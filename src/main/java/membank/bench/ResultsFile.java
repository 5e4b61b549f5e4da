package membank.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import membank.bench.MemoryBenchmark.Measured;
import membank.bench.MemoryBenchmark.Plan;
import membank.bench.MemoryBenchmark.Setup;

/**
 * The raw rows of {@code bench memory --results FILE}: a first line naming the setup, then one
 * {@link Measured#toLine()} per measured plan, appended (and forced to disk) as each completes.
 * A later run with the same setup reuses the rows it finds instead of measuring them again.
 */
public final class ResultsFile {
    private final Path file;
    private final String header;

    public ResultsFile(Path file, Setup setup) {
        this.file = file;
        this.header = "# bench memory " + setup;
    }

    /** Wraps a runner: plans found in the file are read back, the others run and are appended. */
    public Function<Plan, Measured> around(Function<Plan, Measured> runner, PrintWriter log) {
        Map<String, Measured> known = read();
        return plan -> {
            Measured done = known.get(key(plan));
            if (done != null) {
                log.println("  (from " + file + ")");
                return done;
            }
            Measured measured = runner.apply(plan);
            append(measured.toLine());
            return measured;
        };
    }

    private Map<String, Measured> read() {
        Map<String, Measured> known = new HashMap<>();
        try {
            if (!Files.exists(file)) {
                append(header);
                return known;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(header)) {
                throw new IllegalArgumentException("--results " + file + " was written with other options ("
                        + (lines.isEmpty() ? "empty" : lines.get(0)) + "); use another file or the same options");
            }
            for (String line : lines.subList(1, lines.size())) {
                if (line.startsWith(Measured.PREFIX)) {
                    Measured m = Measured.parse(line);
                    known.put(key(new Plan(m.bankTokens(), m.mode(), m.trainPositions(), m.forwardPositions())), m);
                }
            }
            return known;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void append(String line) {
        try {
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String key(Plan p) {
        return p.bankTokens() + ":" + p.mode() + ":" + p.trainPositions() + ":" + p.forwardPositions();
    }
}
