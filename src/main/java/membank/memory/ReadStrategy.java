package membank.memory;

/**
 * How a memory layer computes its read. The model lets the cost decide ({@link #AUTO}); tests pin
 * the fast ways and compare them with {@link #REFERENCE}, the equations of spec sections 1-3 and 7
 * written as their obvious loops.
 */
public enum ReadStrategy {
    /** The fast paths; per-position routed reads take the cheaper way for each batch, by multiply-adds. */
    AUTO,
    /** Routed per-position reads project K/V of every touched chapter once and attend per kv head. */
    PROJECTED_KEYS,
    /**
     * Routed per-position reads attend in the bank's d-dimensional space: {@code q K^T = (q Wk) M^T}
     * and {@code P V = (P M) Wv^T}, so no chapter is projected at all. Costs d/dh more per
     * assignment but nothing per touched chapter: the winner when a batch touches many chapters
     * with few positions each (large banks with prefix/token routing).
     */
    BANK_SPACE,
    /**
     * The slow, obvious loops over sequences, positions, query heads and the blocks each reads
     * ({@link ReferenceRead}): what every fast path must equal, values and gradients.
     */
    REFERENCE
}
