package membank.eval;

import java.util.Map;

/** Exact-match fact recall: overall and per attribute (correct / total). */
public record RecallResult(int correct, int total, Map<String, int[]> byAttribute) {
    public double accuracy() {
        return total == 0 ? 0 : correct / (double) total;
    }
}
