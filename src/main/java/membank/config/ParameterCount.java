package membank.config;

/**
 * Parameter counts of a configuration, for the presets table in docs/config.md and for reports:
 * backbone (embeddings, layers, final norm, untied head) and memory (memory sublayers and banks).
 */
public final class ParameterCount {
    private ParameterCount() {
    }

    public static long backbone(ModelConfig m) {
        long d = m.hiddenSize();
        long embeddings = (long) m.vocabSize() * d;
        long head = m.tieWordEmbeddings() ? 0 : embeddings;
        return embeddings + m.numHiddenLayers() * layer(m) + d + head;
    }

    public static long memory(ModelConfig m) {
        if (!m.hasMemory()) {
            return 0;
        }
        MemoryConfig mem = m.membank();
        long perLayer = memoryLayer(m, mem);
        return mem.layers().size() * perLayer + (long) mem.numBanks() * mem.numTokens() * m.hiddenSize();
    }

    public static long total(ModelConfig m) {
        return backbone(m) + memory(m);
    }

    /** Self-attention with GQA (+ q/k/v biases when present), SwiGLU MLP and two norms. */
    static long layer(ModelConfig m) {
        long d = m.hiddenSize();
        long q = (long) m.numAttentionHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long attention = d * q + 2 * d * kv + q * d + (m.attentionBias() ? q + 2 * kv : 0);
        return attention + mlp(d, m.intermediateSize()) + 2 * d;
    }

    /** Memory norm, q/k/v/o projections (no biases), a router per layer, and variant B's norm + MLP. */
    static long memoryLayer(ModelConfig m, MemoryConfig mem) {
        long d = m.hiddenSize();
        long q = (long) mem.numHeads() * mem.headDim();
        long kv = (long) mem.numKvHeads() * mem.headDim();
        long projections = d * q + 2 * d * kv + q * d;
        long router = mem.chapters() == null ? 0 : (long) (mem.chapters().count() - mem.chapters().shared()) * (d + 1);
        long variantB = mem.isVariantB() ? d + mlp(d, m.intermediateSize()) : 0;
        return d + projections + router + variantB;
    }

    private static long mlp(long d, long intermediate) {
        return 3 * d * intermediate;
    }
}
