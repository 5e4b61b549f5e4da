package membank.train;

import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;

/**
 * Where a training run stands among the ranks of a data-parallel job: which rows of each global
 * batch it trains on, how its gradients are averaged with the others', and whether it is the rank
 * that writes the run directory. {@link #SINGLE} is one process doing all of it.
 */
public interface DataParallel {
    DataParallel SINGLE = new DataParallel() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public BatchSource shard(BatchSource global, int batchSize) {
            return global;
        }

        @Override
        public GradientSync attach(Map<String, Tensor> trainable, Set<String> sparse) {
            return GradientSync.NONE;
        }
    };

    int rank();

    int worldSize();

    /** Rank 0 writes checkpoints, metrics and the model; the others only train. */
    default boolean writes() {
        return rank() == 0;
    }

    /** This rank's share of every global batch of {@code batchSize} rows that {@code global} hands out. */
    BatchSource shard(BatchSource global, int batchSize);

    /**
     * Makes every rank start from rank 0's values of {@code trainable} (name to parameter, in the
     * same order on every rank) and returns what averages their gradients from then on; {@code
     * sparse} names those whose gradients are sparse (the row-sparse bank).
     */
    GradientSync attach(Map<String, Tensor> trainable, Set<String> sparse);
}
