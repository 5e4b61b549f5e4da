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
        return mem.layers().size() * memoryLayer(m, mem) + mem.numBanks() * bank(m);
    }

    /** Trainable scalars of one bank: N·d dense, N·r + d·r factorized, N·r reduced (spec section 5). */
    public static long bank(ModelConfig m) {
        BankConfig b = m.membank().bank();
        long rows = (long) m.membank().numTokens() * b.rowWidth(m.hiddenSize());
        return b.isFactorized() ? rows + (long) m.hiddenSize() * b.rank() : rows;
    }

    /** Values one bank stores: its parameters, plus the scales of a quantised bank. */
    public static long bankStored(ModelConfig m) {
        return bank(m) + scales(m);
    }

    /**
     * Bytes one bank stores: {@code floatBytes} per value for a float bank; for a quantised one a
     * byte per int8 code or per two int4 codes, and 4 per (float32) scale.
     */
    public static long bankBytes(ModelConfig m, int floatBytes) {
        BankConfig b = m.membank().bank();
        if (!b.isQuantised()) {
            return bank(m) * floatBytes;
        }
        long codes = b.quant() == BankConfig.Quant.INT4 ? bank(m) / 2 : bank(m);
        return codes + 4 * scales(m);
    }

    private static long scales(ModelConfig m) {
        BankConfig b = m.membank().bank();
        return b.isQuantised() ? bank(m) / b.quantGroup(m.hiddenSize()) : 0;
    }

    public static long total(ModelConfig m) {
        return backbone(m) + memory(m);
    }

    /** LoRA's A and B, r·(in + out) for each targeted projection of every base layer (PEFT's count). */
    public static long lora(ModelConfig m, LoraConfig lora) {
        long perLayer = 0;
        for (String target : lora.targetModules()) {
            long[] shape = projectionShape(m, target);
            perLayer += (long) lora.r() * (shape[0] + shape[1]);
        }
        return m.numHiddenLayers() * perLayer;
    }

    /** {in, out} of a base layer's projection, by its Hugging Face name. */
    private static long[] projectionShape(ModelConfig m, String name) {
        long d = m.hiddenSize();
        long q = (long) m.numAttentionHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long i = m.intermediateSize();
        return switch (name) {
            case "q_proj" -> new long[] {d, q};
            case "k_proj", "v_proj" -> new long[] {d, kv};
            case "o_proj" -> new long[] {q, d};
            case "gate_proj", "up_proj" -> new long[] {d, i};
            case "down_proj" -> new long[] {i, d};
            default -> throw new IllegalArgumentException("'" + name + "' is not a LoRA target; allowed: " + LoraConfig.TARGETS);
        };
    }

    /** Self-attention with GQA (+ q/k/v biases when present), SwiGLU MLP and two norms. */
    static long layer(ModelConfig m) {
        long d = m.hiddenSize();
        long q = (long) m.numAttentionHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long attention = d * q + 2 * d * kv + q * d + (m.attentionBias() ? q + 2 * kv : 0);
        return attention + mlp(d, m.intermediateSize()) + 2 * d;
    }

    /**
     * Memory norm, q/k/v/o projections (no biases; k/v read memory tokens of the bank's token
     * width), a router per layer, and variant B's norm + MLP.
     */
    public static long memoryLayer(ModelConfig m, MemoryConfig mem) {
        long d = m.hiddenSize();
        long q = (long) mem.numHeads() * mem.headDim();
        long kv = (long) mem.numKvHeads() * mem.headDim();
        long width = mem.bank().tokenWidth(d);
        Integer r = mem.projectionRank();
        long projections = projection(d, q, r) + 2 * projection(width, kv, r) + projection(q, d, r);
        long router = mem.chapters() == null ? 0 : (long) (mem.chapters().count() - mem.chapters().shared()) * (d + 1);
        long variantB = mem.isVariantB() ? d + mlp(d, m.intermediateSize()) : 0;
        return d + projections + router + variantB;
    }

    /** Weights of an {@code in -> out} projection: in·out, or r·(in + out) with a projection rank r. */
    public static long projection(long in, long out, Integer rank) {
        return rank == null ? in * out : rank * (in + out);
    }

    private static long mlp(long d, long intermediate) {
        return 3 * d * intermediate;
    }
}
