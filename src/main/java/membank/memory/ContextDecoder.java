package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Layers;
import membank.nn.Linear;
import membank.nn.Ops;
import membank.nn.RmsNorm;
import membank.nn.SwiGlu;

/**
 * Used only by the encoder's training loss (spec section 7): from each latent [d] it rebuilds the
 * {@code ratio} rows [2d] of its window, one learned position vector per slot, so the latents are
 * pushed to keep what the segment said.
 */
public final class ContextDecoder extends Module {
    private final int ratio;
    private final long dim;
    private final Tensor positions;
    private final RmsNorm norm;
    private final SwiGlu mlp;
    private final Linear outProj;

    public ContextDecoder(long dim, int ratio, double eps) {
        this.ratio = ratio;
        this.dim = dim;
        positions = Layers.normalInit(new long[] {ratio, dim}, Layers.INIT_STD);
        register_parameter("positions", positions);
        norm = register_module("norm", new RmsNorm(dim, eps));
        mlp = register_module("mlp", new SwiGlu(dim, 2 * dim));
        outProj = Linear.register(this, "out_proj", Layers.linear(dim, 2 * dim, false));
    }

    /** Latents [B, L_c, d] -> reconstructed rows [B, L_c * ratio, 2d]. */
    public Tensor forward(Tensor latents) {
        long batch = latents.size(0);
        long windows = latents.size(1);
        Tensor slots = latents.unsqueeze(2).add(positions);
        slots = slots.add(mlp.forward(norm.forward(slots)));
        return outProj.forward(slots).view(batch, windows * ratio, 2 * dim);
    }

    /**
     * Mean squared error of the reconstruction over the real positions of the target, per
     * feature: sum over valid rows of |x_hat - x|^2 / (rows * 2d).
     */
    public Tensor reconstructionLoss(Tensor latents, ContextLatents of) {
        Tensor error = Ops.square(forward(latents).sub(of.target()));
        Tensor weight = of.targetValid().unsqueeze(-1).to(error.scalar_type());
        return error.mul(weight).sum().div(Ops.clampMin(Ops.times(weight.sum(), error.size(-1)), 1));
    }
}
