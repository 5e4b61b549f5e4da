package membank.config;

/**
 * Settings of sparse memory finetuning ({@code membank adapt --method sparse-memory}).
 *
 * @param topT units (rows or chapters) to train, or null for the default, 1/16 of the bank's units
 * @param unit what is counted and trained
 * @param background {@code "default"} (the base's own training data, as its config.json records it) or a data path
 * @param accessTopK rows of highest attention weight that count as read, per position and query head, in a dense layer
 * @param countBatches batches of the new data counted, or null for those training reads (steps x grad_accum)
 * @param backgroundBatches batches of the background data counted
 */
public record SparseMemoryConfig(Integer topT, AccessUnit unit, String background, int accessTopK, Integer countBatches,
                                 int backgroundBatches) {
    public static final String DEFAULT_BACKGROUND = "default";
    public static final int DEFAULT_ACCESS_TOP_K = 32;
    public static final int DEFAULT_BACKGROUND_BATCHES = 32;
    /** The default top-t is this fraction of the bank's units, rounded up. */
    static final int DEFAULT_FRACTION = 16;

    public SparseMemoryConfig {
        if (topT != null && topT < 1) {
            throw new IllegalArgumentException("--top-t " + topT + ": train at least 1 row or chapter");
        }
        if (accessTopK < 1) {
            throw new IllegalArgumentException("--access-top-k " + accessTopK + ": at least 1 row per position and head must count as read");
        }
        if (countBatches != null && countBatches < 1) {
            throw new IllegalArgumentException("--count-batches " + countBatches + ": count at least 1 batch of the new data");
        }
        if (backgroundBatches < 1) {
            throw new IllegalArgumentException("--background-batches " + backgroundBatches + ": count at least 1 background batch");
        }
        if (background == null || background.isBlank()) {
            throw new IllegalArgumentException("--background must be 'default' or a data path, not blank");
        }
    }

    /** Every setting at its default. */
    public static SparseMemoryConfig defaults() {
        return new SparseMemoryConfig(null, AccessUnit.ROWS, DEFAULT_BACKGROUND, DEFAULT_ACCESS_TOP_K, null,
                DEFAULT_BACKGROUND_BATCHES);
    }

    /** Whether the background is the base's own training data. */
    public boolean defaultBackground() {
        return DEFAULT_BACKGROUND.equals(background);
    }

    /** The units to train in a bank (or banks) of {@code units} units: top-t, or its default. */
    public int topT(long units) {
        return topT != null ? topT : (int) Math.max(1, (units + DEFAULT_FRACTION - 1) / DEFAULT_FRACTION);
    }

    /** Batches of new data to count when training runs {@code steps} x {@code gradAccum} micro-batches. */
    public int countBatches(int steps, int gradAccum) {
        return countBatches != null ? countBatches : steps * gradAccum;
    }
}
