package membank.data;

import java.util.Iterator;

/**
 * A closeable stream of batches with their targets (packed text or conversations); the position
 * counts batches handed out, so a resumed run can skip to where it stopped.
 */
public interface TokenBatches extends Iterator<TokenBatch>, AutoCloseable {
    long position();

    /** Skips {@code n} batches, as if they had been handed out. */
    void skip(long n);

    @Override
    void close();
}
