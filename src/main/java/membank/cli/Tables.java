package membank.cli;

import java.util.List;
import java.util.Locale;

import membank.model.ParameterRole;
import membank.train.RunSummary;

/** Plain-text tables for the terminal (and Markdown-compatible, so they paste into docs). */
final class Tables {
    private Tables() {
    }

    static String summary(List<RunSummary> runs) {
        return summary(runs, runs.stream().map(r -> r.dir().getFileName().toString()).toList());
    }

    static String summary(List<RunSummary> runs, List<String> names) {
        StringBuilder b = new StringBuilder();
        b.append("| run | steps | train loss | val loss | fact recall (seen / held-out wording) | chance | tokens/s | backbone | memory layers | bank | precision |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            RunSummary r = runs.get(i);
            b.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %s | %s | %,.0f | %s | %s | %s | %s |%n",
                    names.get(i), r.steps(), r.trainLoss(), r.valLoss(), recall(r), pct(r.chanceRecall()),
                    r.tokensPerSecond(), count(r, ParameterRole.BACKBONE), count(r, ParameterRole.MEMORY_LAYER),
                    count(r, ParameterRole.BANK), r.precision().label()));
        }
        return b.toString();
    }

    private static String recall(RunSummary r) {
        if (r.recall() == null) {
            return "n/a";
        }
        return pct(r.recall().accuracy()) + " / " + (r.heldoutRecall() == null ? "n/a" : pct(r.heldoutRecall().accuracy()));
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String count(RunSummary r, ParameterRole role) {
        return human(r.parameters().getOrDefault(role, 0L));
    }

    static String human(long n) {
        if (n >= 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2fG", n / 1e9);
        }
        if (n >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        if (n >= 1_000) {
            return String.format(Locale.ROOT, "%.1fK", n / 1e3);
        }
        return Long.toString(n);
    }

    /** Bytes in binary units: B, KiB, MiB or GiB. */
    static String bytes(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        }
        return bytes + " B";
    }
}
