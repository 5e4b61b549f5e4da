package membank.dist;

import java.util.Arrays;

import membank.data.TokenBatch;
import membank.data.TokenBatches;

/**
 * One rank's rows of every global batch: rank r of N takes rows [r B/N, (r+1) B/N). The ranks'
 * shards are disjoint and together are the batch one process would train on, so N ranks see the
 * data in the same order as one. The position is the global batches handed out, as one process
 * counts them, so a checkpoint resumes on any world size that divides the batch.
 */
final class RowShard implements TokenBatches {
    private final TokenBatches global;
    private final int rank;
    private final int worldSize;

    RowShard(TokenBatches global, int batchSize, int rank, int worldSize) {
        if (batchSize % worldSize != 0) {
            throw new IllegalArgumentException("training.batch_size = " + batchSize + " does not divide among "
                    + worldSize + " ranks: each rank trains on batch_size / world_size rows of every global batch;"
                    + " choose a batch size that is a multiple of " + worldSize);
        }
        this.global = global;
        this.rank = rank;
        this.worldSize = worldSize;
    }

    @Override
    public boolean hasNext() {
        return global.hasNext();
    }

    @Override
    public TokenBatch next() {
        TokenBatch batch = global.next();
        int rows = batch.size() / worldSize;
        int from = rank * rows;
        return new TokenBatch(Arrays.copyOfRange(batch.inputs(), from, from + rows),
                Arrays.copyOfRange(batch.targets(), from, from + rows));
    }

    @Override
    public long position() {
        return global.position();
    }

    @Override
    public void skip(long n) {
        global.skip(n);
    }

    @Override
    public void close() {
        global.close();
    }
}
