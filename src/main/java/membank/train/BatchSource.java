package membank.train;

/**
 * Training batches of token rows {@code [batch][seqLen + 1]} (inputs and shifted targets share a
 * row). The position counts batches handed out, so a resumed run can continue from it exactly.
 */
public interface BatchSource {
    long[][] next();

    long position();

    /** Moves to {@code position} batches from the start, as a fresh source would be after that many. */
    void seek(long position);
}
