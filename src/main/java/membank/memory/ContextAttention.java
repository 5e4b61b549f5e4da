package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * Mean attention weight each context vector received over the reads of one forward pass or
 * generation: every memory layer, head and position counts once. Consolidation's importance uses it.
 */
public final class ContextAttention {
    private final double[] sums;
    private long reads;

    public ContextAttention(int vectors) {
        this.sums = new double[vectors];
    }

    /** Adds attention probabilities [B, H, L, N] (B must be 1). */
    void record(Tensor probabilities) {
        long[] shape = Ops.shape(probabilities);
        long rows = shape[0] * shape[1] * shape[2];
        float[] summed = Ops.floats(Ops.sum(probabilities.reshape(rows, shape[3]), 0, false));
        for (int i = 0; i < sums.length; i++) {
            sums[i] += summed[i];
        }
        reads += rows;
    }

    /** The mean weight per vector (zeros before any read). */
    public float[] means() {
        float[] out = new float[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = reads == 0 ? 0f : (float) (sums[i] / reads);
        }
        return out;
    }
}
