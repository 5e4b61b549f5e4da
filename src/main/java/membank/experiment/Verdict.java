package membank.experiment;

import java.util.Locale;

/**
 * A plain sentence comparing the memory arm with another on one metric: a difference counts only
 * when it exceeds the spread, the sum of both arms' standard deviations over seeds; one seed has
 * no spread, so it never gives a verdict.
 */
public final class Verdict {
    private Verdict() {
    }

    /**
     * @param higherIsBetter true for recall-like metrics, false for losses
     * @param better the words for memory winning, e.g. "memory lower"; {@code worse} for losing
     */
    public static String compare(String metric, String other, Spread memory, Spread baseline, boolean higherIsBetter,
                                 String better, String worse, String pattern) {
        return compare(metric, "memory", other, memory, baseline, higherIsBetter, better, worse, pattern);
    }

    /** As above, for a subject other than the memory arm (e.g. "frozen-bank", or the largest bank of a sweep). */
    public static String compare(String metric, String subject, String other, Spread memory, Spread baseline,
                                 boolean higherIsBetter, String better, String worse, String pattern) {
        String numbers = String.format(Locale.ROOT, "%s: %s %s vs %s %s", metric, subject, memory.format(pattern), other,
                baseline.format(pattern));
        if (memory.n() == 0 || baseline.n() == 0) {
            return numbers + ": not measured for both arms, no verdict";
        }
        double diff = memory.mean() - baseline.mean();
        boolean memoryWins = higherIsBetter ? diff > 0 : diff < 0;
        String by = String.format(Locale.ROOT, pattern, Math.abs(diff));
        String direction = diff == 0 ? "equal" : (memoryWins ? better : worse) + " by " + by;
        if (memory.n() < 2 || baseline.n() < 2) {
            return numbers + ": " + direction + ", but one seed has no spread to judge by: no verdict";
        }
        double spread = memory.std() + baseline.std();
        if (Math.abs(diff) > spread) {
            return numbers + ": " + direction + ", more than the spread (" + String.format(Locale.ROOT, pattern, spread)
                    + "): " + subject + (memoryWins ? " wins" : " loses");
        }
        return numbers + ": " + direction + ", within the spread (" + String.format(Locale.ROOT, pattern, spread)
                + "): no verdict";
    }
}
