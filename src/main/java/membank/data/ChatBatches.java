package membank.data;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * Batches of conversations, one per row, trained on assistant replies only: each row holds a
 * conversation's first {@code seqLen + 1} tokens (longer ones are cut, and counted), padded with
 * EOS whose targets are ignored. Conversation i is held out for validation when
 * {@code i % every == every - 1}, as text data is split. Training batches cycle over the file.
 */
public final class ChatBatches implements TokenBatches {
    private final ChatJsonlSource source;
    private final ChatEncoder encoder;
    private final BatchSpec spec;
    private final long padId;
    private final int every;
    private final boolean validation;
    private final boolean loop;
    private ChatJsonlSource.Conversations conversations;
    private long index;
    private long position;
    private long truncated;
    private boolean exhausted;
    private TokenBatch lookahead;

    private ChatBatches(ChatJsonlSource source, ChatEncoder encoder, BatchSpec spec, long padId, int every,
                        boolean validation, boolean loop) {
        this.source = source;
        this.encoder = encoder;
        this.spec = spec;
        this.padId = padId;
        this.every = every;
        this.validation = validation;
        this.loop = loop;
        this.conversations = source.conversations();
    }

    /** Endless training batches (the conversations not held out, epoch after epoch). */
    public static ChatBatches training(ChatJsonlSource source, ChatEncoder encoder, BatchSpec spec, long padId, int every) {
        return new ChatBatches(source, encoder, spec, padId, every, false, true);
    }

    /** One pass over the held-out conversations (all of them when {@code every} is 1); the last batch may be shorter. */
    public static ChatBatches evaluation(ChatJsonlSource source, ChatEncoder encoder, BatchSpec spec, long padId, int every) {
        return new ChatBatches(source, encoder, spec, padId, every, true, false);
    }

    @Override
    public boolean hasNext() {
        if (lookahead == null && !exhausted) {
            lookahead = fill();
        }
        return lookahead != null;
    }

    @Override
    public TokenBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more chat batches (" + source.describe() + " is exhausted)");
        }
        TokenBatch batch = lookahead;
        lookahead = null;
        position++;
        return batch;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void skip(long n) {
        for (long i = 0; i < n; i++) {
            next();
        }
    }

    /** Conversations cut to seq_len + 1 tokens so far. */
    public long truncated() {
        return truncated;
    }

    private TokenBatch fill() {
        int rows = spec.batchSize();
        int width = spec.seqLen();
        long[][] inputs = new long[rows][width];
        long[][] targets = new long[rows][width];
        for (int r = 0; r < rows; r++) {
            ChatExample example = nextExample();
            if (example == null) {
                // The end of a validation pass: the conversations read so far make a last, shorter batch.
                return r == 0 ? null : new TokenBatch(Arrays.copyOf(inputs, r), Arrays.copyOf(targets, r));
            }
            Arrays.fill(inputs[r], padId);
            Arrays.fill(targets[r], TokenBatch.IGNORE_INDEX);
            long[] in = example.inputs();
            long[] out = example.targets();
            int n = Math.min(in.length, width);
            truncated += in.length > width ? 1 : 0;
            System.arraycopy(in, 0, inputs[r], 0, n);
            System.arraycopy(out, 0, targets[r], 0, n);
        }
        return new TokenBatch(inputs, targets);
    }

    /** The next conversation of this side of the split, or null at the end of a pass that does not loop. */
    private ChatExample nextExample() {
        boolean wrapped = false;
        while (true) {
            if (!conversations.hasNext()) {
                conversations.close();
                if (!loop || wrapped) {
                    if (loop) {
                        throw new IllegalArgumentException(source.describe() + " has no " + (validation ? "validation" : "training")
                                + " conversation (every " + every + "th is held out for validation)");
                    }
                    exhausted = true;
                    return null;
                }
                wrapped = true;
                conversations = source.conversations();
                index = 0;
            }
            Conversation c = conversations.next();
            boolean heldOut = index++ % every == every - 1;
            if (heldOut == validation) {
                return encoder.encode(c);
            }
        }
    }

    @Override
    public void close() {
        conversations.close();
    }
}
