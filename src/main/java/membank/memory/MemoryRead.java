package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.config.RoutingMode;

/**
 * How one memory layer reads in one forward pass.
 *
 * @param routing routing mode of chaptered layers (the config's, or an inference override)
 * @param valid [B, L] with 1 for real positions, or null when nothing is padded
 * @param state the router's running sums when decoding, else null
 * @param trace collects router decisions (for router losses and inspection), or null
 * @param layer the model layer index, as recorded in the trace
 * @param context context bank vectors read beside the bank, or null
 */
public record MemoryRead(RoutingMode routing, Tensor valid, RouterState state, RoutingTrace trace, int layer,
                         ContextRead context) {
    /** A read of the bank alone. */
    public MemoryRead(RoutingMode routing, Tensor valid, RouterState state, RoutingTrace trace, int layer) {
        this(routing, valid, state, trace, layer, null);
    }

    /** A plain full-sequence read with the given routing. */
    public static MemoryRead of(RoutingMode routing) {
        return new MemoryRead(routing, null, null, null, 0, null);
    }
}
