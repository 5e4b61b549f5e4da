package membank.eval;

import java.util.Map;

import membank.data.Attribute;

/**
 * How many bits of the knowledge set a model holds, judged by its recall: for an attribute with
 * {@code V} equally likely values answered correctly with probability {@code p}, Fano's inequality
 * bounds what the answers reveal about the true values from below by
 * {@code log2 V - H(p) - (1 - p) log2 (V - 1)} bits per person (0 at chance, {@code log2 V} when
 * every answer is right; 0 at or below chance). Summed over attributes and people it is a lower bound on the knowledge
 * stored; divided by the parameters it is comparable with the ~2 bits per parameter Allen-Zhu and
 * Li (Physics of Language Models 3.3) measure at saturation.
 */
public final class KnowledgeBits {
    private KnowledgeBits() {
    }

    /** The bits shown by a recall measured on one probe per person and attribute. */
    public static double of(RecallResult recall) {
        double bits = 0;
        for (Map.Entry<String, int[]> e : recall.byAttribute().entrySet()) {
            int[] counts = e.getValue();
            if (counts[1] > 0) {
                bits += counts[1] * perAnswer(counts[0] / (double) counts[1], values(e.getKey()));
            }
        }
        return bits;
    }

    /**
     * Fano's lower bound on the information in one answer, right with probability {@code p} out of
     * {@code v} values. Below chance the bound turns positive again (a value always named wrongly is
     * ruled out), which is not knowing a fact: it counts as 0.
     */
    public static double perAnswer(double p, int v) {
        if (v < 2 || p <= 1.0 / v) {
            return 0;
        }
        double bits = log2(v) - entropy(p) - (1 - p) * log2(v - 1);
        return Math.max(0, bits);
    }

    private static int values(String attributeKey) {
        for (Attribute a : Attribute.values()) {
            if (a.key().equals(attributeKey)) {
                return a.choices().size();
            }
        }
        throw new IllegalArgumentException("no knowledge-set attribute is called " + attributeKey);
    }

    private static double entropy(double p) {
        return p <= 0 || p >= 1 ? 0 : -p * log2(p) - (1 - p) * log2(1 - p);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
