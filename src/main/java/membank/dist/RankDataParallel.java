package membank.dist;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import membank.data.TokenBatches;
import membank.train.DataParallel;
import membank.train.GradientSync;
import membank.nn.Scope;

/** A rank of a data-parallel job on CPU: Gloo collectives and DDP's Reducer (see docs/distributed.md). */
public final class RankDataParallel implements DataParallel {
    private final RankGroup group;
    private final Device device;

    public RankDataParallel(RankGroup group, Device device) {
        this.group = group;
        this.device = device;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int rank() {
        return group.rendezvous().rank();
    }

    @Override
    public int worldSize() {
        return group.rendezvous().worldSize();
    }

    @Override
    public TokenBatches shard(TokenBatches global, int batchSize) {
        return new RowShard(global, batchSize, rank(), worldSize());
    }

    @Override
    public GradientSync attach(Map<String, Tensor> trainable, Set<String> sparse) {
        try (Scope ignored = Scope.noGrad()) {
            group.broadcastFromRank0(List.copyOf(trainable.values()));
        }
        return DdpGradients.over(group, trainable, sparse);
    }

    @Override
    public void barrier() {
        group.barrier();
    }
}
