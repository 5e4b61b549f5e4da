package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * One router decision per sequence ({@code P = 1}, sequence routing) or per position
 * ({@code P = L}): logits and probabilities over the routed chapters [B, P, C-S] in float32, the
 * chosen routed chapters [B, P, k] (0-based among routed chapters) and their renormalised weights.
 */
public record Routing(Tensor logits, Tensor probs, Tensor chapters, Tensor weights) {
    /** Entropy of the router distribution of each decision, in nats, [B, P] (no gradient). */
    public Tensor entropy() {
        Tensor p = probs.detach();
        return Ops.sum(p.mul(Ops.clampMin(p, 1e-30).log()), -1, false).neg();
    }

    /** True when every position of a sequence reads the same chapters. */
    public boolean perSequence() {
        return chapters.size(1) == 1;
    }
}
