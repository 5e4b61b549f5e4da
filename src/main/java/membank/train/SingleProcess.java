package membank.train;

import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import membank.data.TokenBatches;

/** A run that is the whole job: all of every batch, nothing to exchange, and it writes. */
record SingleProcess(Device device) implements DataParallel {
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public TokenBatches shard(TokenBatches global, int batchSize) {
        return global;
    }

    @Override
    public GradientSync attach(Map<String, Tensor> trainable, Set<String> sparse) {
        return GradientSync.NONE;
    }
}
