package membank.data;

/** Token rows as the models read them: a start token, then a slice of a text's ids. */
public final class TokenRows {
    private TokenRows() {
    }

    /** {@code start}, then {@code ids[from, to)}. */
    public static long[] startThen(long start, int[] ids, int from, int to) {
        long[] row = new long[to - from + 1];
        row[0] = start;
        for (int i = from; i < to; i++) {
            row[i - from + 1] = ids[i];
        }
        return row;
    }
}
