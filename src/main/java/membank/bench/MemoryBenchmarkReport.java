package membank.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import membank.bench.MemoryBenchmark.Row;

/** The Markdown table of {@code bench memory} and its reading against the targets (a)-(d). */
public final class MemoryBenchmarkReport {
    /** The RAM a 1,048,576-token bank must train in, target (c). */
    public static final double TRAIN_RAM_LIMIT = 24e9;

    private MemoryBenchmarkReport() {
    }

    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| bank tokens | mode | chapters touched | train ms | of which AdamW ms | forward ms"
                + " | forward, cached K/V ms | train peak RSS | forward peak RSS | other CPU load |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            String touched = r.dense() ? "all" : r.failure() != null ? "" :
                    String.format(Locale.ROOT, "%,d / %,d", r.touchedChapters(), r.chapters());
            b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.bankTokens(),
                    r.mode(), touched, ms(r, r.trainMs(), r.trainExtrapolated()), ms(r, r.adamwMs(), false),
                    ms(r, r.forwardMs(), r.forwardExtrapolated()), ms(r, r.cachedMs(), r.forwardExtrapolated()),
                    gb(r, r.trainPeakBytes(), r.trainExtrapolated()), gb(r, r.forwardPeakBytes(), r.forwardExtrapolated()),
                    Double.isNaN(r.otherCpu()) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * r.otherCpu())));
        }
        return b.toString();
    }

    /** Footnotes: skipped, extrapolated and failed rows. */
    public static String notes(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            String where = String.format(Locale.ROOT, "- %s, bank %,d: ", r.mode(), r.bankTokens());
            if (r.failure() != null) {
                b.append(where).append("failed: ").append(r.failure()).append('\n');
            }
            if (r.trainNote() != null) {
                b.append(where).append(r.trainNote()).append('\n');
            }
            if (r.forwardNote() != null) {
                b.append(where).append(r.forwardNote()).append('\n');
            }
        }
        b.append("- other CPU load: share of the machine's cores kept busy by other processes (and hypervisor steal)"
                + " while the row ran; above a few % the times of that row are inflated.\n");
        if (rows.stream().anyMatch(r -> r.trainExtrapolated() || r.forwardExtrapolated())) {
            b.append("- `~` marks a time extrapolated from fewer query positions, `*` a peak RSS measured at those"
                    + " fewer positions.\n");
        }
        return b.toString();
    }

    /** The four targets, each with its numbers. */
    public static String targets(List<Row> rows, List<Long> sizes, long compareSize) {
        long smallest = sizes.stream().mapToLong(Long::longValue).min().orElse(0);
        long largest = sizes.stream().mapToLong(Long::longValue).max().orElse(0);
        List<String> routedModes = rows.stream().filter(r -> !r.dense()).map(Row::mode).distinct().toList();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "(a) routed cost growth from %,d to %,d bank tokens (%.0fx larger) at fixed k*T:%n",
                smallest, largest, (double) largest / Math.max(1, smallest)));
        for (String mode : routedModes) {
            Optional<Row> lo = find(rows, smallest, mode);
            Optional<Row> hi = find(rows, largest, mode);
            if (lo.isEmpty() || hi.isEmpty() || smallest == largest) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "    %-8s train x%s, forward x%s, forward with cached K/V x%s; chapters touched %s -> %s%n",
                    mode, ratio(hi.get().trainMs(), lo.get().trainMs()), ratio(hi.get().forwardMs(), lo.get().forwardMs()),
                    ratio(hi.get().cachedMs(), lo.get().cachedMs()), touched(lo.get()), touched(hi.get())));
        }
        b.append("(b) token vs sequence routing at the same k (time ratio token / sequence):\n");
        for (long size : sizes) {
            Optional<Row> token = find(rows, size, "token");
            Optional<Row> sequence = find(rows, size, "sequence");
            if (token.isPresent() && sequence.isPresent()) {
                b.append(String.format(Locale.ROOT, "    bank %,d: train x%s, forward x%s, forward with cached K/V x%s%n", size,
                        ratio(token.get().trainMs(), sequence.get().trainMs()),
                        ratio(token.get().forwardMs(), sequence.get().forwardMs()),
                        ratio(token.get().cachedMs(), sequence.get().cachedMs())));
            }
        }
        b.append(String.format(Locale.ROOT, "(c) does the %,d-token bank train (fwd+bwd+AdamW) within %.0f GB?%n", largest,
                TRAIN_RAM_LIMIT / 1e9));
        for (Row r : rows) {
            if (r.bankTokens() != largest || r.dense()) {
                continue;
            }
            String verdict;
            if (r.failure() != null || Double.isNaN(r.trainMs())) {
                verdict = "no: " + (r.failure() != null ? r.failure() : "not run");
            } else if (r.trainPeakBytes() == 0) {
                verdict = "trained; peak RSS unknown (no /proc)";
            } else {
                verdict = String.format(Locale.ROOT, "%s: peak RSS %.1f GB, %,.0f ms/step", r.trainPeakBytes() <= TRAIN_RAM_LIMIT
                        ? "yes" : "no", r.trainPeakBytes() / 1e9, r.trainMs());
            }
            b.append(String.format(Locale.ROOT, "    %-8s %s%n", r.mode(), verdict));
        }
        Optional<Row> dense = find(rows, compareSize, "dense");
        b.append(String.format(Locale.ROOT, "(d) routed vs dense over the same %,d-token bank (time ratio dense / routed):%n",
                compareSize));
        if (dense.isEmpty() || Double.isNaN(dense.get().trainMs()) && Double.isNaN(dense.get().forwardMs())) {
            b.append("    dense was not measured at this size\n");
        } else {
            Row d = dense.get();
            for (String mode : routedModes) {
                Optional<Row> r = find(rows, compareSize, mode);
                if (r.isPresent()) {
                    b.append(String.format(Locale.ROOT, "    %-8s train x%s, forward x%s, forward with cached K/V x%s%n", mode,
                            ratio(d.trainMs(), r.get().trainMs()), ratio(d.forwardMs(), r.get().forwardMs()),
                            ratio(d.cachedMs(), r.get().cachedMs())));
                }
            }
            if (d.trainExtrapolated() || d.forwardExtrapolated()) {
                b.append("    dense times marked ~ above are extrapolated from fewer query positions (see the notes).\n");
            }
        }
        return b.toString();
    }

    private static Optional<Row> find(List<Row> rows, long size, String mode) {
        return rows.stream().filter(r -> r.bankTokens() == size && r.mode().equals(mode)).findFirst();
    }

    private static String touched(Row r) {
        return String.format(Locale.ROOT, "%,d/%,d", r.touchedChapters(), r.chapters());
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String ms(Row r, double v, boolean extrapolated) {
        if (Double.isNaN(v)) {
            return r.failure() != null ? "failed" : "skipped";
        }
        return (extrapolated ? "~" : "") + String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String gb(Row r, long bytes, boolean atFewerPositions) {
        if (bytes <= 0) {
            return r.failure() != null ? "failed" : "n/a";
        }
        return String.format(Locale.ROOT, "%.1f GB%s", bytes / 1e9, atFewerPositions ? "*" : "");
    }
}
