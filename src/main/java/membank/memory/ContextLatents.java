package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * What the encoder made of a batch of segments.
 *
 * @param mean latent means [B, L_c, d] (the context vectors at inference)
 * @param logvar latent log-variances [B, L_c, d]
 * @param valid [B, L_c] bool: the latent's window holds at least one real position
 * @param target the encoder's input padded to L_c * ratio positions [B, L_c * ratio, 2d]
 * @param targetValid [B, L_c * ratio] bool: real positions of {@code target}
 */
public record ContextLatents(Tensor mean, Tensor logvar, Tensor valid, Tensor target, Tensor targetValid) {

    /** z = mean + exp(logvar / 2) * eps, eps ~ N(0, 1): the reparameterised sample training reads. */
    public Tensor sample() {
        Tensor eps = mean.detach().clone();
        Ops.normal_(eps, 0.0, 1.0);
        return mean.add(Ops.times(logvar, 0.5).exp().mul(eps));
    }

    /**
     * KL(q(z|x) || N(0, I)) per latent dimension, averaged over valid latents:
     * 0.5 * mean(mean^2 + exp(logvar) - 1 - logvar).
     */
    public Tensor kl() {
        Tensor perDim = Ops.times(Ops.minus(Ops.square(mean).add(logvar.exp()), 1).sub(logvar), 0.5);
        Tensor weight = valid.unsqueeze(-1).to(perDim.scalar_type());
        return perDim.mul(weight).sum().div(Ops.clampMin(Ops.times(weight.sum(), perDim.size(-1)), 1));
    }
}
