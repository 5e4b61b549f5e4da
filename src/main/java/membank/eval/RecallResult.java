package membank.eval;

import java.util.Map;

/** Exact-match fact recall: overall, per attribute (correct / total) and per probe, in the probes' order. */
public record RecallResult(int correct, int total, Map<String, int[]> byAttribute, boolean[] hits) {
    public double accuracy() {
        return total == 0 ? 0 : correct / (double) total;
    }
}
