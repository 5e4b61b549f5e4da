package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.RoutingMode;
import membank.nn.Layers;
import membank.nn.Ops;

/**
 * The router of one memory layer (spec section 2): {@code logits = Wr u + br} over the C - S
 * routed chapters, softmax, top-k, weights renormalised over the chosen k.
 */
public final class ChapterRouter extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final int topK;

    public ChapterRouter(long dim, long routedChapters, int topK) {
        // Keep our own handles: register_parameter returns a reference into the module's parameter
        // list, which dangles once a second parameter makes that list grow.
        this.weight = Layers.normalInit(new long[] {routedChapters, dim}, Layers.INIT_STD);
        this.bias = Ops.zeros(ScalarType.Float, routedChapters);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        this.topK = topK;
    }

    /**
     * Routes x [B, L, d] (the memory layer's normalised input).
     *
     * @param valid [B, L] with 1 for real positions, or null; only the sequence mean uses it
     * @param state running sums of earlier positions when decoding, or null
     */
    public Routing route(Tensor x, RoutingMode mode, Tensor valid, RouterState state) {
        Tensor u = summary(x.to(ScalarType.Float), mode, valid, state);
        if (state != null) {
            state.advance(x);
        }
        Tensor logits = Ops.linear(u, weight, bias).to(ScalarType.Float);
        Tensor probs = logits.softmax(-1);
        Ops.TopK top = Ops.topk(probs, topK);
        Tensor chosen = top.values();
        Tensor weights = chosen.div(Ops.sum(chosen, -1, true));
        return new Routing(logits, probs, top.indices(), weights);
    }

    /** What the router looks at: [B, 1, d] for sequence routing, [B, L, d] otherwise. */
    private static Tensor summary(Tensor x, RoutingMode mode, Tensor valid, RouterState state) {
        return switch (mode) {
            case TOKEN -> x;
            case PREFIX -> prefixMean(x, state);
            case SEQUENCE -> sequenceMean(x, valid, state);
        };
    }

    private static Tensor prefixMean(Tensor x, RouterState state) {
        Tensor sums = x.cumsum(1);
        long before = 0;
        if (state != null) {
            sums = sums.add(state.sum().unsqueeze(1));
            before = state.count();
        }
        Tensor counts = Ops.arange(before + 1, before + x.size(1) + 1, x).to(ScalarType.Float).view(1, x.size(1), 1);
        return sums.div(counts);
    }

    private static Tensor sequenceMean(Tensor x, Tensor valid, RouterState state) {
        if (valid != null) {
            Tensor mask = valid.to(ScalarType.Float).unsqueeze(2);
            Tensor total = Ops.sum(x.mul(mask), 1, true);
            return total.div(Ops.clampMin(Ops.sum(mask, 1, true), 1));
        }
        Tensor total = Ops.sum(x, 1, true);
        long count = x.size(1);
        if (state != null) {
            total = total.add(state.sum().unsqueeze(1));
            count += state.count();
        }
        return Ops.dividedBy(total, count);
    }
}
