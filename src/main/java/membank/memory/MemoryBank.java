package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/** A dense bank of N latent memory tokens, [N, d], initialised N(0, 0.02) (spec section 5). */
public final class MemoryBank extends Module {
    private final Tensor weight;

    public MemoryBank(long tokens, long dim) {
        this.weight = register_parameter("weight", Ops.normalInit(new long[] {tokens, dim}, Ops.INIT_STD));
    }

    /** The bank as the memory layers read it. */
    public Tensor tokens() {
        return weight;
    }
}
