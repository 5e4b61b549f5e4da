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

    /** As above, for a subject other than the memory arm (e.g. "frozen-bank"). */
    public static String compare(String metric, String subject, String other, Spread memory, Spread baseline,
                                 boolean higherIsBetter, String better, String worse, String pattern) {
        String numbers = String.format(Locale.ROOT, "%s: %s %s vs %s %s", metric, subject, memory.format(pattern), other,
                baseline.format(pattern));
        return judge(numbers, memory, baseline, higherIsBetter, better, worse, pattern, subject + " wins", subject + " loses");
    }

    /** One arm's metric at the last point of a sweep against the first: a change counts when it exceeds the spread. */
    public static String trend(String metric, String arm, String to, String from, Spread last, Spread first, String pattern) {
        String numbers = String.format(Locale.ROOT, "%s of %s: %s at %s vs %s at %s", metric, arm, last.format(pattern), to,
                first.format(pattern), from);
        return judge(numbers, last, first, true, "higher", "lower", pattern, "a real rise", "a real fall");
    }

    private static String judge(String numbers, Spread a, Spread b, boolean higherIsBetter, String better, String worse,
                                String pattern, String win, String lose) {
        if (a.n() == 0 || b.n() == 0) {
            return numbers + ": not measured for both, no verdict";
        }
        double diff = a.mean() - b.mean();
        boolean aWins = higherIsBetter ? diff > 0 : diff < 0;
        String by = String.format(Locale.ROOT, pattern, Math.abs(diff));
        String direction = diff == 0 ? "equal" : (aWins ? better : worse) + " by " + by;
        if (a.n() < 2 || b.n() < 2) {
            return numbers + ": " + direction + ", but one seed has no spread to judge by: no verdict";
        }
        double spread = a.std() + b.std();
        if (Math.abs(diff) > spread) {
            return numbers + ": " + direction + ", more than the spread (" + String.format(Locale.ROOT, pattern, spread)
                    + "): " + (aWins ? win : lose);
        }
        return numbers + ": " + direction + ", within the spread (" + String.format(Locale.ROOT, pattern, spread)
                + "): no verdict";
    }
}
