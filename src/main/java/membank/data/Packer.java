package membank.data;

/**
 * Cuts a token stream into training rows of {@code seqLen + 1} ids: inputs are {@code row[0..seqLen)},
 * targets {@code row[1..seqLen]}. Consecutive rows share one token (the last of a row is the
 * first of the next), so every token of the stream is a target exactly once. Documents are packed
 * back to back, separated by EOS, with no padding.
 */
public final class Packer implements AutoCloseable {

    private final TokenStream tokens;
    private final int seqLen;
    private long carry = -1;

    public Packer(TokenStream tokens, int seqLen) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen = " + seqLen + ": must be >= 1");
        }
        this.tokens = tokens;
        this.seqLen = seqLen;
    }

    /** Fills {@code row} (length seqLen + 1); false, leaving it partly written, when a finite stream cannot fill it. */
    public boolean next(long[] row) {
        if (row.length != seqLen + 1) {
            throw new IllegalArgumentException("row length " + row.length + " != seqLen + 1 = " + (seqLen + 1));
        }
        int start = 0;
        if (carry >= 0) {
            row[0] = carry;
            start = 1;
        }
        int want = row.length - start;
        if (tokens.read(row, start, want) < want) {
            return false;
        }
        carry = row[seqLen];
        return true;
    }

    public int seqLen() {
        return seqLen;
    }

    public int epoch() {
        return tokens.epoch();
    }

    @Override
    public void close() {
        tokens.close();
    }
}
