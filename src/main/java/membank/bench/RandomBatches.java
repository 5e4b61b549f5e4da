package membank.bench;

import java.util.Random;

import membank.data.TokenBatch;
import membank.data.TokenBatches;

/** Uniformly random token rows: speed does not depend on what the tokens say. */
public final class RandomBatches implements TokenBatches {
    private final int batch;
    private final int length;
    private final int vocab;
    private final long seed;
    private long position;

    public RandomBatches(int batch, int length, int vocab, long seed) {
        this.batch = batch;
        this.length = length;
        this.vocab = vocab;
        this.seed = seed;
    }

    /** Endless. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public TokenBatch next() {
        return TokenBatch.shifted(nextRows());
    }

    /** The next batch as packed rows [batch][length + 1]. */
    public long[][] nextRows() {
        Random random = new Random(seed + position++);
        long[][] rows = new long[batch][length + 1];
        for (long[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextInt(vocab);
            }
        }
        return rows;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void skip(long n) {
        position += n;
    }
}
