package membank.experiment;

import membank.config.ModelConfig;

/**
 * Plain transformers grown from a model's backbone: deeper (more layers) or wider (more heads
 * of the same head size, in steps of one kv head with its group of query heads so GQA stays as
 * it is; hidden = heads x head_dim, and the MLP keeps its ratio to hidden, rounded to a multiple
 * of the head size).
 */
final class BaselineShapes {
    private BaselineShapes() {
    }

    static ModelConfig deeper(ModelConfig c, int layers) {
        return shape(c, layers, c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.numKeyValueHeads());
    }

    /** Wider by kv heads: {@code kvHeads} groups of as many query heads per kv head as the model has. */
    static ModelConfig wider(ModelConfig c, int kvHeads) {
        int heads = kvHeads * (c.numAttentionHeads() / c.numKeyValueHeads());
        int dh = c.headDim();
        double intermediate = (double) c.intermediateSize() * heads / c.numAttentionHeads();
        int rounded = (int) Math.max(dh, Math.round(intermediate / dh) * dh);
        return shape(c, c.numHiddenLayers(), heads * dh, rounded, heads, kvHeads);
    }

    private static ModelConfig shape(ModelConfig c, int layers, int hidden, int intermediate, int heads, int kvHeads) {
        return c.with(b -> b.numHiddenLayers(layers).hiddenSize(hidden).intermediateSize(intermediate)
                .numAttentionHeads(heads).numKeyValueHeads(kvHeads).membank(null));
    }
}
