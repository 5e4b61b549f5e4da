package membank.memory;

import static org.bytedeco.pytorch.global.torch.zeros;

import org.bytedeco.pytorch.Tensor;

/**
 * What a router remembers between decoding steps: the running sum of its inputs [B, d] and how
 * many positions it covers, so prefix and sequence routing of new tokens see the whole sequence
 * so far without recomputing it.
 */
public final class RouterState {
    private final Tensor sum;
    private long count;

    public RouterState(long batch, long dim) {
        this.sum = zeros(new long[] {batch, dim});
        this.count = 0;
    }

    Tensor sum() {
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
        sum.add_(x.detach().to(sum.scalar_type()).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
        count += x.size(1);
    }
}
