package membank.model;

import org.bytedeco.pytorch.Tensor;

import membank.config.RoutingMode;
import membank.memory.BankRows;
import membank.memory.ContextRead;
import membank.memory.MemoryRead;
import membank.memory.RoutingTrace;
import membank.nn.KvCache;

/**
 * How one forward pass of {@link MemoryLM} reads: {@code MemoryLM.forward(ids, pass)}. Start from
 * {@link #PLAIN} (or {@link #decoding}) and add what the pass needs, e.g.
 * {@code ForwardPass.PLAIN.withValid(mask).withContext(context)}.
 *
 * @param valid [B, L] with 1 on real tokens for right-padded rows, or null. Only sequence routing
 *              looks at later positions, and it then averages over the real ones alone.
 * @param state a decode state the new positions extend (its caches grow by L), or null
 * @param routing routing of chaptered layers in this pass, or null for the model's
 *                ({@link MemoryLM#routing()})
 * @param trace collects router decisions (router losses, inspection), or null
 * @param context context vectors every memory layer reads beside its bank, or null
 */
public record ForwardPass(Tensor valid, DecodeState state, RoutingMode routing, RoutingTrace trace,
                          ContextRead context) {
    /** A full-sequence pass over unpadded rows, reading the banks alone. */
    public static final ForwardPass PLAIN = new ForwardPass(null, null, null, null, null);

    /** A pass extending {@code state}, reading the context vectors it was made with. */
    public static ForwardPass decoding(DecodeState state) {
        return new ForwardPass(null, state, null, null, state.context());
    }

    public ForwardPass withValid(Tensor mask) {
        return new ForwardPass(mask, state, routing, trace, context);
    }

    public ForwardPass withRouting(RoutingMode mode) {
        return new ForwardPass(valid, state, mode, trace, context);
    }

    public ForwardPass withTrace(RoutingTrace to) {
        return new ForwardPass(valid, state, routing, to, context);
    }

    public ForwardPass withContext(ContextRead vectors) {
        return new ForwardPass(valid, state, routing, trace, vectors);
    }

    /** Layer {@code layer}'s self-attention cache, or null outside decoding. */
    KvCache cache(int layer) {
        return state == null ? null : state.caches().get(layer);
    }

    /**
     * What memory layer {@code layer} reads in this pass ({@code bank} null: the layer has none);
     * {@code mode} is the model's routing, which {@link #routing} overrides.
     */
    MemoryRead memory(int layer, BankRows bank, RoutingMode mode, Tensor validOnDevice) {
        if (bank == null) {
            return null;
        }
        return new MemoryRead(bank, state == null ? null : state.bankKv().get(layer), routing != null ? routing : mode,
                validOnDevice, state == null ? null : state.routers().get(layer), trace, layer, context);
    }
}
