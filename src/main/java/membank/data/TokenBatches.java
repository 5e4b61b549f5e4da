package membank.data;

import java.util.Iterator;

/** A closeable stream of batches with their targets (packed text or conversations). */
public interface TokenBatches extends Iterator<TokenBatch>, AutoCloseable {
    @Override
    void close();
}
