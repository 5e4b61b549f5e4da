package membank.context;

/**
 * A summary of a bank's per-row statistics, for inspection. Means are over rows; with no rows the
 * means are NaN and the extremes 0.
 *
 * @param totalMass the original vectors the rows stand for (each row counts its mass)
 */
public record BankStats(int rows, int dim, double totalMass, float referencesMin, double referencesMean,
        float referencesMax, double attentionMean, long lastUsedMin, long lastUsedMax) {

    public static BankStats of(ContextBank bank) {
        float[] references = bank.referencesArray();
        float[] attention = bank.attentionArray();
        long[] lastUsed = bank.lastUsedArray();
        int n = bank.size();
        float refMin = n == 0 ? 0 : Float.POSITIVE_INFINITY;
        float refMax = n == 0 ? 0 : Float.NEGATIVE_INFINITY;
        double refSum = 0;
        double attentionSum = 0;
        long usedMin = n == 0 ? 0 : Long.MAX_VALUE;
        long usedMax = n == 0 ? 0 : Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            refMin = Math.min(refMin, references[i]);
            refMax = Math.max(refMax, references[i]);
            refSum += references[i];
            attentionSum += attention[i];
            usedMin = Math.min(usedMin, lastUsed[i]);
            usedMax = Math.max(usedMax, lastUsed[i]);
        }
        return new BankStats(n, bank.dim(), bank.totalMass(), refMin, refSum / n, refMax, attentionSum / n,
                usedMin, usedMax);
    }
}
