package membank.config;

/**
 * The optional {@code "training"} block of a config file. Learning rates of the bank and the memory
 * layers fall back to {@code lr} when null.
 */
public record TrainConfig(
        int steps,
        int batchSize,
        int seqLen,
        int gradAccum,
        double lr,
        Double bankLr,
        Double memoryLr,
        double weightDecay,
        double bankWeightDecay,
        String bankUpdate,
        double beta1,
        double beta2,
        double eps,
        int warmupSteps,
        String schedule,
        double minLrRatio,
        double decayFraction,
        double gradClip,
        String precision,
        long seed,
        int saveEvery,
        int evalEvery,
        int evalBatches,
        int logEvery,
        int maxNonFinite,
        DataConfig data) {

    public static final String COSINE = "cosine";
    public static final String WSD = "wsd";
    public static final String CONSTANT = "constant";
    /** {@code bank_update}: libtorch's AdamW moves every bank row each step (the default). */
    public static final String DENSE = "dense";
    /** {@code bank_update}: only the rows read in a step move (lazy AdamW, see RowSparseAdamW). */
    public static final String ROWS_READ = "rows_read";

    /** Every key at its default (the knowledge set, byte tokenizer, 1000 cosine steps at lr 1e-3). */
    public static TrainConfig defaults() {
        return ConfigJson.parseTraining(null);
    }

    /** The same training with another data block (e.g. once the run has chosen its split). */
    public TrainConfig withData(DataConfig other) {
        return new TrainConfig(steps, batchSize, seqLen, gradAccum, lr, bankLr, memoryLr, weightDecay, bankWeightDecay,
                bankUpdate, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, decayFraction, gradClip, precision, seed, saveEvery,
                evalEvery, evalBatches, logEvery, maxNonFinite, other);
    }

    public double effectiveBankLr() {
        return bankLr != null ? bankLr : lr;
    }

    /** Whether the bank takes the row-sparse update ({@code bank_update: "rows_read"}). */
    public boolean rowSparseBank() {
        return ROWS_READ.equals(bankUpdate);
    }

    public double effectiveMemoryLr() {
        return memoryLr != null ? memoryLr : lr;
    }
}
