package membank.context;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;

import membank.data.TokenRows;
import membank.data.Tokenizer;
import membank.memory.ContextAttention;
import membank.memory.ContextRead;
import membank.model.MemoryLM;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * The inference side of the context bank (spec section 7): texts become latent vectors (the
 * encoder's means), are remembered in a bank, and a new input reads the vectors retrieval finds
 * for it. Text is cut into segments of at most {@code segmentLength} tokens, as in training.
 */
public final class ContextReader {
    private final MemoryLM model;
    private final Tokenizer tokenizer;
    private final int segmentLength;
    private final long start;
    private final int readLimit;

    /** A reader that reads at most the model's {@code membank.context.read_limit} vectors per input. */
    public ContextReader(MemoryLM model, Tokenizer tokenizer, int segmentLength) {
        this(model, tokenizer, segmentLength, 0);
    }

    /** @param readLimit most vectors per input, or 0 for the model's {@code read_limit} */
    public ContextReader(MemoryLM model, Tokenizer tokenizer, int segmentLength, int readLimit) {
        if (!model.hasContextEncoder()) {
            throw new IllegalArgumentException("this model has no context encoder (no membank.context block in its"
                    + " config.json): add one with `membank context train --model DIR --out DIR`");
        }
        if (segmentLength < 2) {
            throw new IllegalArgumentException("segments need at least 2 tokens, got " + segmentLength);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.segmentLength = segmentLength;
        this.start = tokenizer.eosId().orElse(0);
        this.readLimit = readLimit > 0 ? readLimit : model.config().membank().context().readLimit();
    }

    public MemoryLM model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The most context vectors one input reads. */
    public int readLimit() {
        return readLimit;
    }

    /**
     * Appends the latents of {@code text} to {@code bank} (one segment per {@code segmentLength}
     * tokens); returns how many tokens were read.
     */
    public int remember(ContextBank bank, String text, long step) {
        int[] ids = tokenizer.encode(text);
        int body = segmentLength - 1;
        for (int from = 0; from < Math.max(1, ids.length); from += body) {
            int[] piece = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + body));
            try (Scope scope = Scope.tensors()) {
                bank.add(latents(piece), step);
            }
        }
        return ids.length;
    }

    /**
     * The query vector [d] of an input: the mean of its latents (the last segment's, if it is long),
     * on the CPU, where the bank and its index are.
     */
    public Tensor query(String text) {
        int[] ids = tokenizer.encode(text);
        int body = segmentLength - 1;
        int[] tail = Arrays.copyOfRange(ids, Math.max(0, ids.length - body), ids.length);
        return latents(tail).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).cpu();
    }

    /** The latent means [L_c, d] of one segment (start token prepended), without gradient. */
    Tensor latents(int[] piece) {
        long[] row = TokenRows.startThen(start, piece, 0, piece.length);
        model.train(false);
        try (Scope ignored = Scope.noGrad()) {
            return model.compress(Ops.longs(new long[][] {row}), null).mean().select(0, 0);
        }
    }

    /**
     * What an input reads: the bank rows retrieval returns for {@code text} (at most the read limit,
     * from the {@code probe} best clusters), as a context read of one row that records attention.
     */
    public Retrieved retrieve(ContextIndex index, String text, int probe) {
        if (index.bank().isEmpty()) {
            return new Retrieved(new int[0], null);
        }
        return read(index.bank(), index.search(query(text), readLimit(), probe));
    }

    /** A context read of one row over the bank rows {@code hits} found, recording attention. */
    Retrieved read(ContextBank bank, Hits hits) {
        if (hits.size() == 0) {
            return new Retrieved(new int[0], null);
        }
        Tensor rows = bank.vectors().index_select(0, Ops.longs(Arrays.stream(hits.rows()).asLongStream().toArray()));
        // the bank stays in host memory (a store with its index and consolidation); what one input
        // reads, at most the read limit of rows, goes to the model's device
        rows = rows.to(model.device(), rows.scalar_type());
        return new Retrieved(hits.rows(), new ContextRead(rows.unsqueeze(0), null, new ContextAttention(hits.size())));
    }

    /** Bank rows read by one input and the read itself (null when the bank is empty). */
    public record Retrieved(int[] rows, ContextRead read) {
        /** Records in the bank that these rows were read at {@code step}, with the attention they got. */
        public void recordUse(ContextBank bank, long step) {
            if (read != null) {
                bank.recordUse(rows, read.attention().means(), step);
            }
        }
    }
}
