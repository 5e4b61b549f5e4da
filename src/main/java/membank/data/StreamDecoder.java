package membank.data;

import java.util.Arrays;

/**
 * Turns generated ids into text as they arrive. A token may end in the middle of a UTF-8
 * character (byte-level tokenizers split emoji and CJK), and decoding it alone gives U+FFFD; so
 * the decoder holds such text back until the character is complete.
 *
 * <p>Only a short window is re-decoded at each step: text from {@code prefixStart} to
 * {@code readStart} was already emitted and is decoded again only so that tokenizers whose decoding
 * depends on the previous token (leading-space rules) render the new text correctly.
 */
public final class StreamDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private int[] ids = new int[16];
    private int size;
    private int prefixStart;
    private int readStart;

    StreamDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one id and returns the text that is now complete (possibly empty). */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = decode(prefixStart, readStart);
        String full = decode(prefixStart, size);
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT) {
            prefixStart = readStart;
            readStart = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** Returns whatever is still held back; bytes that never became valid UTF-8 come out as U+FFFD. */
    public String finish() {
        String prefix = decode(prefixStart, readStart);
        String full = decode(prefixStart, size);
        prefixStart = size;
        readStart = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}
