package membank.data;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The token-level train/validation split: of each document's n ids, the last {@code ceil(n * fraction)}
 * are validation and the rest training. It needs no count of documents, so it serves a corpus of
 * one long text as well as many short ones; its two halves never share a token.
 */
public final class TokenHoldOut {
    private TokenHoldOut() {
    }

    /** How many of a document's {@code n} ids are held out. */
    static int heldOut(int n, double fraction) {
        return (int) Math.min(n, Math.ceil(n * fraction));
    }

    /** The training ids of each document: all but the held-out tail. */
    public static Function<String, int[]> head(Function<String, int[]> encoder, double fraction) {
        return text -> {
            int[] ids = encoder.apply(text);
            return Arrays.copyOf(ids, ids.length - heldOut(ids.length, fraction));
        };
    }

    /** The validation ids of each document: its held-out tail. */
    public static Function<String, int[]> tail(Function<String, int[]> encoder, double fraction) {
        return text -> {
            int[] ids = encoder.apply(text);
            return Arrays.copyOfRange(ids, ids.length - heldOut(ids.length, fraction), ids.length);
        };
    }
}
