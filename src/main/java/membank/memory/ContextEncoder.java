package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Layers;
import membank.nn.Linear;
import membank.nn.Ops;
import membank.nn.RmsNorm;
import membank.nn.Scope;
import membank.nn.SwiGlu;

/**
 * Compresses a read segment into latent context vectors (spec section 7): the segment's
 * [E1; E_last] rows [B, L, 2d] are cut into windows of {@code ratio} positions, and one learned
 * latent query cross-attends to each window, so L positions become ceil(L / ratio) vectors of
 * width d. VAE-style: each latent has a mean and a log-variance; training reads a sample
 * (reparameterised), inference the mean.
 */
public final class ContextEncoder extends Module {
    /** Log-variances are clamped here so exp() stays finite early in training. */
    private static final double LOGVAR_LIMIT = 10;
    /** Initial log-variance (sigma ~ 0.14): unit noise would drown the small initial means. */
    private static final double INITIAL_LOGVAR = -4;

    private final int ratio;
    private final long dim;
    private final long heads;
    private final Linear inProj;
    private final Tensor positions;
    private final Tensor latentQuery;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final RmsNorm norm;
    private final SwiGlu mlp;
    private final Linear muProj;
    private final Linear logvarProj;

    /** @param heads attention heads of the window read; must divide {@code dim} */
    public ContextEncoder(long dim, int ratio, long heads, double eps) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("context encoder heads " + heads + " must divide the width " + dim);
        }
        this.ratio = ratio;
        this.dim = dim;
        this.heads = heads;
        inProj = Linear.register(this, "in_proj", Layers.linear(2 * dim, dim, false));
        // own handles: register_parameter's return value dangles once another is registered
        positions = Layers.normalInit(new long[] {ratio, dim}, Layers.INIT_STD);
        register_parameter("positions", positions);
        latentQuery = Layers.normalInit(new long[] {dim}, Layers.INIT_STD);
        register_parameter("latent_query", latentQuery);
        qProj = Linear.register(this, "q_proj", Layers.linear(dim, dim, false));
        kProj = Linear.register(this, "k_proj", Layers.linear(dim, dim, false));
        vProj = Linear.register(this, "v_proj", Layers.linear(dim, dim, false));
        oProj = Linear.register(this, "o_proj", Layers.linear(dim, dim, false));
        norm = register_module("norm", new RmsNorm(dim, eps));
        mlp = register_module("mlp", new SwiGlu(dim, 2 * dim));
        muProj = Linear.register(this, "mu_proj", Layers.linear(dim, dim, false));
        logvarProj = Linear.register(this, "logvar_proj", Layers.linear(dim, dim, true));
        try (Scope ignored = Scope.noGrad()) {
            Ops.fill_(logvarProj.bias(), INITIAL_LOGVAR);
        }
    }

    public int ratio() {
        return ratio;
    }

    /**
     * Latents of segments [B, L, 2d]; {@code valid} [B, L] (1 on real positions, right padding)
     * or null. A latent is valid when its window holds at least one real position.
     */
    public ContextLatents forward(Tensor segment, Tensor valid) {
        long batch = segment.size(0);
        long length = segment.size(1);
        long windows = (length + ratio - 1) / ratio;
        long padded = windows * ratio;
        Tensor mask = valid == null ? Ops.onesBool(batch, length) : valid.to(ScalarType.Bool);
        // made from host arrays: on the device of the segment it masks
        mask = Ops.on(mask, segment);
        Tensor rows = Ops.pad(segment, new long[] {0, 0, 0, padded - length}, 0);
        Tensor rowMask = Ops.pad(mask, new long[] {0, padded - length}, 0)
                .view(batch * windows, ratio);
        Tensor latentValid = rowMask.any(1, false).view(batch, windows);
        // a window of padding attends to everything (its latent is marked invalid): no all -inf rows
        Tensor attendable = rowMask.logical_or(latentValid.view(batch * windows, 1).logical_not());

        Tensor h = inProj.forward(rows).view(batch, windows, ratio, dim).add(positions);
        Tensor inWindow = h.view(batch * windows, ratio, dim);
        Tensor q = qProj.forward(latentQuery).view(1, heads, 1, dim / heads).expand(batch * windows, heads, 1, dim / heads);
        Tensor k = Ops.splitHeads(kProj.forward(inWindow), heads, dim / heads);
        Tensor v = Ops.splitHeads(vProj.forward(inWindow), heads, dim / heads);
        Tensor read = Ops.attention(q, k, v, attendable.view(batch * windows, 1, 1, ratio));
        Tensor latent = oProj.forward(Ops.mergeHeads(read)).view(batch, windows, dim).add(latentQuery);
        latent = latent.add(mlp.forward(norm.forward(latent)));
        Tensor logvar = Ops.clamp(logvarProj.forward(latent), -LOGVAR_LIMIT, LOGVAR_LIMIT);
        return new ContextLatents(muProj.forward(latent), logvar, latentValid, rows, rowMask.view(batch, padded));
    }
}
