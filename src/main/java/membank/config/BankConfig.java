package membank.config;

/**
 * How a bank is parameterised and stored (spec section 5). {@code kind}: {@code dense} M [N, d],
 * {@code factorized} M = A·Bᵀ with A [N, r] and B [d, r], or {@code reduced} M [N, r] read by
 * key/value projections that take r inputs. {@code quant}: null (float), {@code int8} (one scale
 * per row) or {@code int4} (two codes per byte, one scale per {@code groupSize} values of a row);
 * training keeps a float copy, checkpoints hold the codes.
 */
public record BankConfig(String kind, Integer rank, String quant, Integer groupSize) {
    public static final String DENSE = "dense";
    public static final String FACTORIZED = "factorized";
    public static final String REDUCED = "reduced";
    public static final String INT8 = "int8";
    public static final String INT4 = "int4";
    public static final int DEFAULT_GROUP_SIZE = 32;

    public static BankConfig dense() {
        return new BankConfig(DENSE, null, null, null);
    }

    public boolean isFactorized() {
        return FACTORIZED.equals(kind);
    }

    public boolean isQuantised() {
        return quant != null;
    }

    /** Width of the memory tokens that the key/value projections read: r for a reduced bank, else d. */
    public long tokenWidth(long hidden) {
        return REDUCED.equals(kind) ? rank : hidden;
    }

    /** Width of the rows the bank keeps per memory token: d for dense, r for factorized (A) and reduced. */
    public long rowWidth(long hidden) {
        return DENSE.equals(kind) ? hidden : rank;
    }

    /** Values sharing one scale: a whole row for int8, {@code groupSize} for int4. */
    public long quantGroup(long hidden) {
        return INT4.equals(quant) ? groupSize : rowWidth(hidden);
    }
}
