package membank.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Batches of packed rows, {@code long[batchSize][seqLen + 1]}. Training batches loop over the
 * data forever; evaluation batches make one pass and drop the last incomplete batch, so every
 * batch has the same shape.
 *
 * <p>Resume: record {@link #position()} with a checkpoint, and after reopening the same source
 * with the same settings call {@link #skip(long)} with it; the next batch is then exactly the one
 * that would have come.
 */
public final class Batches implements Iterator<long[][]>, AutoCloseable {

    private final Packer packer;
    private final BatchSpec spec;
    private long position;
    private long[][] lookahead;
    private boolean ended;

    public Batches(Packer packer, int batchSize) {
        this.packer = packer;
        this.spec = new BatchSpec(batchSize, packer.seqLen());
    }

    /** Endless batches over the epochs of {@code source}. */
    public static Batches training(TextSource source, Function<String, int[]> encoder, int eosId, BatchSpec spec) {
        return open(source, encoder, eosId, spec, true);
    }

    /** One pass over {@code source}. */
    public static Batches evaluation(TextSource source, Function<String, int[]> encoder, int eosId, BatchSpec spec) {
        return open(source, encoder, eosId, spec, false);
    }

    public static Batches training(TextSource source, Tokenizer tokenizer, BatchSpec spec) {
        return training(source, tokenizer::encode, eos(tokenizer), spec);
    }

    public static Batches evaluation(TextSource source, Tokenizer tokenizer, BatchSpec spec) {
        return evaluation(source, tokenizer::encode, eos(tokenizer), spec);
    }

    private static Batches open(TextSource source, Function<String, int[]> encoder, int eosId,
            BatchSpec spec, boolean loop) {
        return new Batches(new Packer(new TokenStream(source, encoder, eosId, loop), spec.seqLen()),
                spec.batchSize());
    }

    private static int eos(Tokenizer tokenizer) {
        return tokenizer.eosId().orElseThrow(() -> new IllegalArgumentException("tokenizer "
                + tokenizer.file() + " has no EOS token that membank could find: add eos_token to "
                + "tokenizer_config.json or eos_token_id to config.json beside it"));
    }

    /** These rows as inputs and next-token targets. */
    public TokenBatches shifted() {
        Batches rows = this;
        return new TokenBatches() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public TokenBatch next() {
                return TokenBatch.shifted(rows.next());
            }

            @Override
            public long position() {
                return rows.position();
            }

            @Override
            public void skip(long n) {
                rows.skip(n);
            }

            @Override
            public void close() {
                rows.close();
            }
        };
    }

    @Override
    public boolean hasNext() {
        if (lookahead == null && !ended) {
            lookahead = fill();
            ended = lookahead == null;
        }
        return lookahead != null;
    }

    @Override
    public long[][] next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches (evaluation data is exhausted)");
        }
        long[][] batch = lookahead;
        lookahead = null;
        position++;
        return batch;
    }

    private long[][] fill() {
        long[][] batch = new long[spec.batchSize()][spec.seqLen() + 1];
        for (long[] row : batch) {
            if (!packer.next(row)) {
                return null;
            }
        }
        return batch;
    }

    /**
     * Consumes {@code n} batches without returning them (fast-forward for resume).
     *
     * @throws IllegalArgumentException when the data ends first
     */
    public void skip(long n) {
        for (long i = 0; i < n; i++) {
            if (!hasNext()) {
                throw new IllegalArgumentException("cannot skip " + n + " batches: the data ends after "
                        + position + " (resuming with different data or settings?)");
            }
            next();
        }
    }

    /** The number of batches handed out (or skipped) so far. */
    public long position() {
        return position;
    }

    /** The epoch the most recent row was read in (a batch may straddle two epochs). */
    public int epoch() {
        return packer.epoch();
    }

    public BatchSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        packer.close();
    }
}
