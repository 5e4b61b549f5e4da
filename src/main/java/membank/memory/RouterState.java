package membank.memory;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Ops;

/**
 * What a router remembers between decoding steps: the running sum of its inputs [B, d] and how
 * many positions it covers, so prefix and sequence routing of new tokens see the whole sequence
 * so far without recomputing it.
 */
public final class RouterState {
    private final Tensor sum;
    private long count;

    /** Float sums on {@code like}'s device (the model's: each decoding step adds its activations in place). */
    public RouterState(long batch, long dim, Tensor like) {
        this.sum = Ops.zeros(like, ScalarType.Float, batch, dim);
        this.count = 0;
    }

    /** The running sum [B, d] (public for checks of where a decode state's tensors are). */
    public Tensor sum() {
        return sum;
    }

    long count() {
        return count;
    }

    /**
     * Adds the new positions x [B, L, d]; in place, because the state outlives the memory scope
     * of each decoding step (a new tensor made here would be freed with the step).
     */
    void advance(Tensor x) {
        sum.add_(Ops.sum(x.detach().to(sum.scalar_type()), 1, false));
        count += x.size(1);
    }
}
