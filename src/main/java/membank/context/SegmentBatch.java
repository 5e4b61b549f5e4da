package membank.context;

import java.util.Arrays;
import java.util.List;

import membank.data.TokenBatch;
import membank.data.TokenRows;
import membank.data.Tokenizer;

/**
 * Token rows of a batch of segment pairs, right-padded: segment 1 as read into the bank, segment 2
 * as inputs and next-token targets (padding targets are ignored by the loss).
 */
public record SegmentBatch(long[][] first, long[][] firstValid, long[][] inputs, long[][] targets, long[][] valid) {

    /**
     * @param maxLength at most this many tokens of each segment (the start token included)
     * @param start the token every segment starts with (the tokenizer's end-of-text, as in training)
     */
    public static SegmentBatch of(List<SegmentTask.Pair> pairs, Tokenizer tokenizer, int maxLength, long start) {
        int n = pairs.size();
        long[][] firstRows = new long[n][];
        long[][] secondRows = new long[n][];
        for (int i = 0; i < n; i++) {
            firstRows[i] = tokens(tokenizer, pairs.get(i).first(), start, maxLength);
            secondRows[i] = tokens(tokenizer, pairs.get(i).second(), start, maxLength + 1);
        }
        int firstWidth = Arrays.stream(firstRows).mapToInt(r -> r.length).max().orElse(1);
        int secondWidth = Arrays.stream(secondRows).mapToInt(r -> r.length - 1).max().orElse(1);
        long[][] first = new long[n][firstWidth];
        long[][] firstValid = new long[n][firstWidth];
        long[][] inputs = new long[n][secondWidth];
        long[][] targets = new long[n][secondWidth];
        long[][] valid = new long[n][secondWidth];
        for (int i = 0; i < n; i++) {
            System.arraycopy(firstRows[i], 0, first[i], 0, firstRows[i].length);
            Arrays.fill(firstValid[i], 0, firstRows[i].length, 1L);
            int length = secondRows[i].length - 1;
            System.arraycopy(secondRows[i], 0, inputs[i], 0, length);
            System.arraycopy(secondRows[i], 1, targets[i], 0, length);
            Arrays.fill(targets[i], length, secondWidth, TokenBatch.IGNORE_INDEX);
            Arrays.fill(valid[i], 0, length, 1L);
        }
        return new SegmentBatch(first, firstValid, inputs, targets, valid);
    }

    /** {@code start} then the text's tokens, cut to {@code limit}. */
    static long[] tokens(Tokenizer tokenizer, String text, long start, int limit) {
        int[] ids = tokenizer.encode(text);
        return TokenRows.startThen(start, ids, 0, Math.min(limit - 1, ids.length));
    }
}
