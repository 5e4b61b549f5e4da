package membank.data;

import java.util.Iterator;

/**
 * The one source of batches with their targets: packed text, conversations, random rows for a
 * benchmark, one rank's shard of another source. Training sources are endless; evaluation sources
 * end ({@link #hasNext()}). The position counts batches handed out, so a resumed run can move to
 * where it stopped.
 */
public interface TokenBatches extends Iterator<TokenBatch>, AutoCloseable {
    long position();

    /** Skips {@code n} batches, as if they had been handed out. */
    void skip(long n);

    /**
     * Moves to {@code position} batches from the start, as a fresh source would be after that many;
     * a source moves forward only.
     */
    default void seek(long position) {
        if (position < position()) {
            throw new IllegalStateException("cannot seek back to batch " + position + " from " + position());
        }
        skip(position - position());
    }

    /** Releases the files behind the batches; a source that reads none has nothing to release. */
    @Override
    default void close() {
    }
}
