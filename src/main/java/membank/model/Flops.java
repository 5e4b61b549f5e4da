package membank.model;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.ParameterCount;

/**
 * Analytical matmul FLOPs (multiply-add = 2) of one forward pass; a training step costs three
 * times the forward (backward = 2x forward). Element-wise work (norms, softmax) is not counted.
 */
public final class Flops {
    private Flops() {
    }

    /** Forward FLOPs of a batch of {@code batch} sequences of {@code length} tokens. */
    public static double forward(ModelConfig c, long batch, long length) {
        double tokens = batch * (double) length;
        double perToken = 2.0 * (linearParams(c) + (double) c.vocabSize() * c.hiddenSize());
        // causal self-attention: QK^T and AV over on average length/2 keys
        perToken += c.numHiddenLayers() * 2.0 * 2.0 * (length / 2.0) * c.numAttentionHeads() * c.headDim();
        double total = tokens * perToken;
        MemoryConfig m = c.membank();
        if (m != null) {
            int memoryLayers = m.layers().size();
            total += tokens * memoryLayers * 2.0 * 2.0 * tokensRead(m) * m.numHeads() * m.headDim();
            // K and V of what is projected, once per layer and step, from bank rows of width d, or r for
            // reduced and factorized banks (keys of A·Bᵀ are A (Wk B)ᵀ; the small Wk B is not counted)
            double rowWidth = m.bank().rowWidth(c.hiddenSize());
            total += memoryLayers * 2.0 * tokensProjected(m, batch, length) * rowWidth * 2.0 * m.numKvHeads() * m.headDim();
            total += memoryLayers * routerFlops(c, batch, length);
        }
        return total;
    }

    /** Memory tokens each position attends to: the bank, or its shared plus k routed chapters. */
    static double tokensRead(MemoryConfig m) {
        var ch = m.chapters();
        return ch == null ? m.numTokens() : (double) (ch.shared() + ch.topK()) * (m.numTokens() / ch.count());
    }

    /**
     * Bank rows whose K/V a routed layer projects: the shared chapters plus every routed chapter a
     * batch can touch (at most k per routing decision), the whole bank without chapters.
     */
    static double tokensProjected(MemoryConfig m, long batch, long length) {
        var ch = m.chapters();
        if (ch == null) {
            return m.numTokens();
        }
        double touched = Math.min(ch.count() - ch.shared(), decisions(ch, batch, length) * ch.topK());
        return (ch.shared() + touched) * (m.numTokens() / ch.count());
    }

    private static double routerFlops(ModelConfig c, long batch, long length) {
        var ch = c.membank().chapters();
        if (ch == null) {
            return 0;
        }
        return decisions(ch, batch, length) * 2.0 * c.hiddenSize() * (ch.count() - ch.shared());
    }

    /** Router decisions per batch: one per sequence with sequence routing, else one per position. */
    private static double decisions(ChapterConfig ch, long batch, long length) {
        return "sequence".equals(ch.routing()) ? batch : batch * (double) length;
    }

    public static double trainStep(ModelConfig c, long batch, long length) {
        return 3 * forward(c, batch, length);
    }

    /** Weights applied as matmuls to every token (no embedding, no bank, no LM head). */
    static double linearParams(ModelConfig c) {
        long d = c.hiddenSize();
        long attention = d * c.headDim() * (2L * c.numAttentionHeads() + 2L * c.numKeyValueHeads());
        long mlp = 3L * d * c.intermediateSize();
        double total = c.numHiddenLayers() * (double) (attention + mlp);
        MemoryConfig m = c.membank();
        if (m != null) {
            long q = (long) m.numHeads() * m.headDim();
            long queryAndOutput = ParameterCount.projection(d, q, m.projectionRank())
                    + ParameterCount.projection(q, d, m.projectionRank());
            long extraMlp = m.isVariantB() ? mlp : 0;
            total += m.layers().size() * (double) (queryAndOutput + extraMlp);
        }
        return total;
    }
}
