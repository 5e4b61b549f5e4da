package membank.train;

import membank.data.ChatBatches;
import membank.data.TokenBatch;

/** Adapts endless chat batches (loss on assistant replies only) to the trainer. */
final class ChatSource implements BatchSource {
    private final ChatBatches batches;

    ChatSource(ChatBatches batches) {
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
