package membank.train;

import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import membank.data.TokenBatches;
import membank.nn.Devices;

/**
 * Where a training run stands: the device it trains on and its place among the ranks of a
 * data-parallel job, namely which rows of each global batch it trains on, how its gradients are
 * averaged with the others', and whether it is the rank that writes the run directory.
 * {@link #SINGLE} is one process on the CPU doing all of it.
 */
public interface DataParallel {
    DataParallel SINGLE = single(Devices.cpu());

    /** One process on {@code device}. */
    static DataParallel single(Device device) {
        return new SingleProcess(device);
    }

    int rank();

    int worldSize();

    /** Where the model, its bank, the optimizer state and the batches live. */
    Device device();

    /** Rank 0 writes checkpoints, metrics and the model; the others only train. */
    default boolean writes() {
        return rank() == 0;
    }

    /** This rank's share of every global batch of {@code batchSize} rows that {@code global} hands out. */
    TokenBatches shard(TokenBatches global, int batchSize);

    /**
     * Makes every rank start from rank 0's values of {@code trainable} (name to parameter, in the
     * same order on every rank) and returns what averages their gradients from then on; {@code
     * sparse} names those whose gradients are sparse (the row-sparse bank).
     */
    GradientSync attach(Map<String, Tensor> trainable, Set<String> sparse);

    /**
     * Waits until every rank gets here: what the writing rank wrote before it is then there for
     * the others to read (a shared directory). One process has no one to wait for.
     */
    default void barrier() {
    }
}
