package membank.train;

import membank.data.TokenBatch;

/**
 * Training batches: inputs and targets. The position counts batches handed out, so a resumed run
 * can continue from it exactly.
 */
public interface BatchSource {
    TokenBatch next();

    long position();

    /** Moves to {@code position} batches from the start, as a fresh source would be after that many. */
    void seek(long position);
}
