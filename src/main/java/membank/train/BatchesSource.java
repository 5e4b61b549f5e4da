package membank.train;

import membank.data.TokenBatch;
import membank.data.TokenBatches;

/** Adapts the data package's endless training batches (packed text or conversations) to the trainer. */
final class BatchesSource implements BatchSource {
    private final TokenBatches batches;

    BatchesSource(TokenBatches batches) {
        this.batches = batches;
    }

    @Override
    public TokenBatch next() {
        return batches.next();
    }

    @Override
    public long position() {
        return batches.position();
    }

    @Override
    public void seek(long position) {
        if (position < batches.position()) {
            throw new IllegalStateException("cannot seek back to batch " + position + " from " + batches.position());
        }
        batches.skip(position - batches.position());
    }
}
