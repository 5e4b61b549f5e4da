package membank.model;

import membank.config.ModelConfig;

/**
 * Matmul FLOPs of whole forward passes and training steps, for logs and benchmarks; the counting
 * itself, per component and with frozen parts, is {@link FlopCounter}'s.
 */
public final class Flops {
    private Flops() {
    }

    /** Forward FLOPs of a batch of {@code batch} sequences of {@code length} tokens. */
    public static double forward(ModelConfig c, long batch, long length) {
        return FlopCounter.count(c, length, batch).forward() * batch * length;
    }

    /** Forward plus backward FLOPs of one such batch with every parameter trained (3x the forward). */
    public static double trainStep(ModelConfig c, long batch, long length) {
        return FlopCounter.count(c, length, batch).trainPerToken() * batch * length;
    }
}
