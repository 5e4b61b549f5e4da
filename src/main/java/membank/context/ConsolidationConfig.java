package membank.context;

/**
 * When and how {@link Consolidation} shrinks a bank: above {@code capacity} rows it merges pairs,
 * protecting important rows. Importance I = alpha * f + beta * a + gamma * r with f the references,
 * a the attention and r the recency of a row, each scaled to [0, 1] over the bank.
 */
public record ConsolidationConfig(int capacity, double alpha, double beta, double gamma) {
    public ConsolidationConfig {
        if (capacity < 1) {
            throw new IllegalArgumentException("consolidation capacity must be >= 1 row, got " + capacity);
        }
        check("alpha (weight of references)", alpha);
        check("beta (weight of attention)", beta);
        check("gamma (weight of recency)", gamma);
    }

    /** Capacity with alpha = beta = gamma = 1. */
    public static ConsolidationConfig of(int capacity) {
        return new ConsolidationConfig(capacity, 1, 1, 1);
    }

    private static void check(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("consolidation " + name + " must be a finite number >= 0, got " + value);
        }
    }
}
