package membank.data;

/**
 * A batch as the model trains on it: input ids [B][L] and the target of each position [B][L],
 * {@link #IGNORE_INDEX} where a position does not count in the loss (prompt tokens of a
 * conversation, padding).
 */
public record TokenBatch(long[][] inputs, long[][] targets) {
    /** The target of a position the loss ignores (PyTorch's {@code ignore_index}). */
    public static final long IGNORE_INDEX = -100;

    /** Packed text rows [B][L + 1]: every position predicts the next token of its row. */
    public static TokenBatch shifted(long[][] rows) {
        long[][] inputs = new long[rows.length][];
        long[][] targets = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            inputs[i] = java.util.Arrays.copyOf(rows[i], rows[i].length - 1);
            targets[i] = java.util.Arrays.copyOfRange(rows[i], 1, rows[i].length);
        }
        return new TokenBatch(inputs, targets);
    }

    public int size() {
        return inputs.length;
    }

    public int length() {
        return inputs[0].length;
    }
}
