package membank.memory;

import org.bytedeco.pytorch.Tensor;

/**
 * The context bank vectors one forward pass reads beside the memory bank (spec section 7).
 *
 * @param vectors [B, N_c, d] (B may be 1 for every row)
 * @param valid [B, N_c] bool, true on vectors to read, or null when all are
 * @param attention collects the attention weight each vector received (inference statistics), or null
 */
public record ContextRead(Tensor vectors, Tensor valid, ContextAttention attention) {
    public ContextRead {
        if (vectors.dim() != 3) {
            throw new IllegalArgumentException("context vectors must be [B, N, d], got " + vectors.dim() + " dimensions");
        }
    }
}
