package membank.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * TF-IDF of bank units: {@code tf(u) = c(u) / sum_v c(v)}, the share of the new data's accesses
 * that went to u (over every bank), and {@code idf(u) = ln((D + 1) / (df(u) + 1))} with D the
 * background sequences counted and df(u) those that read u. A unit every background sequence reads
 * scores 0; one no background sequence reads gets the most. Units the new data never read are not
 * ranked.
 */
final class TfIdf {
    /** Best first: higher score, then more accesses (so ties of idf 0 still follow the new data), then bank and unit. */
    static final Comparator<UnitScore> BEST_FIRST = Comparator.comparingDouble(UnitScore::score).reversed()
            .thenComparing(Comparator.comparingDouble(UnitScore::tf).reversed())
            .thenComparingInt(UnitScore::bank).thenComparingInt(UnitScore::unit);

    private TfIdf() {
    }

    static double idf(long backgroundSequences, long reading) {
        return Math.log((backgroundSequences + 1.0) / (reading + 1.0));
    }

    /** Every unit the new data read, best first. */
    static List<UnitScore> ranked(AccessCounts fresh, AccessCounts background) {
        if (fresh.banks() != background.banks() || fresh.units() != background.units()) {
            throw new IllegalArgumentException("new and background counts cover different banks: " + fresh.banks() + " x "
                    + fresh.units() + " against " + background.banks() + " x " + background.units());
        }
        double total = fresh.totalAccesses();
        List<UnitScore> out = new ArrayList<>();
        for (int b = 0; b < fresh.banks(); b++) {
            for (int u = 0; u < fresh.units(); u++) {
                long c = fresh.accesses(b, u);
                if (c > 0) {
                    long df = background.sequencesReading(b, u);
                    double tf = c / total;
                    double idf = idf(background.sequences(), df);
                    out.add(new UnitScore(b, u, c, df, tf, idf, tf * idf));
                }
            }
        }
        out.sort(BEST_FIRST);
        return out;
    }
}
