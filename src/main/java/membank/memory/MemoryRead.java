package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.config.RoutingMode;

/**
 * What one memory layer reads in one forward pass, and how.
 *
 * @param bank the rows of the bank the layer reads
 * @param cached the bank's K/V projected once (inference), or null to project what is read now
 * @param routing routing mode of chaptered layers (the config's, or an inference override); null
 *                means the layer's own config
 * @param valid [B, L] with 1 for real positions, or null when nothing is padded
 * @param state the router's running sums when decoding, else null
 * @param trace collects router decisions (for router losses and inspection), or null
 * @param layer the model layer index, as recorded in the trace
 * @param context context bank vectors read beside the bank, or null
 */
public record MemoryRead(BankRows bank, MemoryKv cached, RoutingMode routing, Tensor valid, RouterState state,
                         RoutingTrace trace, int layer, ContextRead context) {
    /** A plain full-sequence read of {@code bank} with the layer's own routing. */
    public static MemoryRead of(BankRows bank) {
        return new MemoryRead(bank, null, null, null, null, null, 0, null);
    }

    /** A plain read of float bank rows [N, w]. */
    public static MemoryRead of(Tensor bank) {
        return of(BankRows.of(bank));
    }

    /** The same read from K/V projected once ({@link MemoryAttention#project}). */
    public MemoryRead withCached(MemoryKv kv) {
        return new MemoryRead(bank, kv, routing, valid, state, trace, layer, context);
    }

    public MemoryRead withRouting(RoutingMode mode) {
        return new MemoryRead(bank, cached, mode, valid, state, trace, layer, context);
    }

    public MemoryRead withValid(Tensor mask) {
        return new MemoryRead(bank, cached, routing, mask, state, trace, layer, context);
    }

    /** The same read recording router decisions into {@code to} as those of model layer {@code index}. */
    public MemoryRead withTrace(RoutingTrace to, int index) {
        return new MemoryRead(bank, cached, routing, valid, state, to, index, context);
    }

    public MemoryRead withContext(ContextRead vectors) {
        return new MemoryRead(bank, cached, routing, valid, state, trace, layer, vectors);
    }
}
