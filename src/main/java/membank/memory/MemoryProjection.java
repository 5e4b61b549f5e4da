package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Layers;
import membank.nn.Linear;
import membank.nn.Ops;

/**
 * One of memory attention's projections (no bias), registered under its name: a full linear layer
 * ({@code <name>.weight} [out, in]) or, with a projection rank r (spec section 5), W = W_up·W_down
 * with {@code <name>.down.weight} [r, in] and {@code <name>.up.weight} [out, r].
 */
final class MemoryProjection {
    /** The full layer, or W_down. */
    private final Linear first;
    /** W_up, or null for a full layer. */
    private final Linear up;
    /** Holds the Java peer of the low-rank container: libtorch calls back into it (e.g. in train()). */
    private final Module container;

    private MemoryProjection(Linear first, Linear up, Module container) {
        this.first = first;
        this.up = up;
        this.container = container;
    }

    /**
     * Registers {@code name} in {@code owner}. A zero projection (the output one) starts at zero so a
     * fresh memory layer adds nothing; low-rank, only its up factor is zero, so both still learn.
     *
     * @param rank null for a full layer
     */
    static MemoryProjection register(Module owner, String name, long in, long out, Integer rank, boolean zero) {
        if (rank == null) {
            return new MemoryProjection(Linear.register(owner, name, zero ? Layers.zeroLinear(in, out) : Layers.linear(in, out, false)),
                    null, null);
        }
        // W's entries are sums of r products: factors of std sqrt(0.02 / sqrt(r)) give W the N(0, 0.02)
        // scale of a full layer, with neither factor dominating the other's gradient.
        double std = Math.sqrt(Layers.INIT_STD / Math.sqrt(rank));
        Module container = owner.register_module(name, new Module());
        Linear down = Linear.register(container, "down", Layers.normalLinear(in, rank, std));
        Linear up = Linear.register(container, "up", zero ? Layers.zeroLinear(rank, out) : Layers.normalLinear(rank, out, std));
        return new MemoryProjection(down, up, container);
    }

    Tensor forward(Tensor x) {
        Tensor y = first.forward(x);
        return up == null ? y : up.forward(y);
    }

    /** The matrix W [out, in] the projection applies. */
    Tensor weight() {
        return up == null ? first.weight() : Ops.matmul(up.weight(), first.weight());
    }
}
