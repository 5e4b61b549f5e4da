package membank.data;

import java.util.Arrays;

/**
 * One conversation as token ids, with {@code trained[t]} true where token t belongs to an
 * assistant reply (its text and the template's end-of-turn token) and so counts in the loss.
 * The arrays are shared, not copied: treat them as read-only.
 */
public record ChatExample(int[] ids, boolean[] trained, String origin) {

    public ChatExample {
        if (ids.length != trained.length) {
            throw new IllegalArgumentException(origin + ": " + ids.length + " ids but " + trained.length + " mask entries");
        }
    }

    public int length() {
        return ids.length;
    }

    /** How many tokens count in the loss. */
    public int trainedCount() {
        int n = 0;
        for (boolean b : trained) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** The ids, with {@link TokenBatch#IGNORE_INDEX} where a token does not count; aligned with {@link #ids()}. */
    public long[] labels() {
        long[] out = new long[ids.length];
        for (int t = 0; t < ids.length; t++) {
            out[t] = trained[t] ? ids[t] : TokenBatch.IGNORE_INDEX;
        }
        return out;
    }

    /** Next-token inputs: {@code ids[0..n-1)}. */
    public long[] inputs() {
        return Arrays.stream(ids, 0, Math.max(0, ids.length - 1)).asLongStream().toArray();
    }

    /** Next-token targets for {@link #inputs()}: {@code labels[1..n)}, so position t predicts token t+1. */
    public long[] targets() {
        long[] labels = labels();
        return ids.length == 0 ? labels : Arrays.copyOfRange(labels, 1, labels.length);
    }
}
