package membank.train;

import membank.data.Batches;
import membank.data.TokenBatch;

/** Adapts the data package's endless training batches to the trainer. */
final class BatchesSource implements BatchSource {
    private final Batches batches;

    BatchesSource(Batches batches) {
        this.batches = batches;
    }

    @Override
    public TokenBatch next() {
        return TokenBatch.shifted(batches.next());
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
