package membank.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.config.ModelConfig;
import membank.memory.MemoryAttention;
import membank.memory.MemoryRead;
import membank.nn.KvCache;
import membank.nn.Projection;
import membank.nn.RmsNorm;
import membank.nn.Rope;
import membank.nn.SelfAttention;
import membank.nn.SwiGlu;

/**
 * One decoder block (spec section 4). Without memory: {@code h += SelfAttn(norm h); h += MLP(norm h)}.
 * Variant A reads memory between the two; variant B reads it after the MLP, followed by its own MLP.
 */
final class DecoderLayer extends Module {
    private final RmsNorm inputNorm;
    private final SelfAttention selfAttn;
    private final RmsNorm postAttentionNorm;
    private final SwiGlu mlp;
    private final RmsNorm memoryNorm;
    private final MemoryAttention memoryAttn;
    private final RmsNorm memoryMlpNorm;
    private final SwiGlu memoryMlp;
    /** Names of the children that belong to the memory layer rather than to the backbone. */
    private final List<String> memoryParts = new ArrayList<>();

    DecoderLayer(ModelConfig c, int index) {
        boolean hasMemory = c.isMemoryLayer(index);
        long d = c.hiddenSize();
        inputNorm = register_module("input_layernorm", new RmsNorm(d, c.rmsNormEps()));
        selfAttn = register_module("self_attn", new SelfAttention(d, c.numAttentionHeads(),
                c.numKeyValueHeads(), c.headDim(), c.attentionBias()));
        postAttentionNorm = register_module("post_attention_layernorm", new RmsNorm(d, c.rmsNormEps()));
        mlp = register_module("mlp", new SwiGlu(d, c.intermediateSize()));
        if (hasMemory) {
            var m = c.membank();
            memoryNorm = memoryPart("memory_layernorm", new RmsNorm(d, c.rmsNormEps()));
            memoryAttn = memoryPart("memory_attn", new MemoryAttention(m, d));
            boolean variantB = m.isVariantB();
            memoryMlpNorm = variantB ? memoryPart("memory_mlp_layernorm", new RmsNorm(d, c.rmsNormEps())) : null;
            memoryMlp = variantB ? memoryPart("memory_mlp", new SwiGlu(d, c.intermediateSize())) : null;
        } else {
            memoryNorm = null;
            memoryAttn = null;
            memoryMlpNorm = null;
            memoryMlp = null;
        }
    }

    boolean hasMemory() {
        return memoryAttn != null;
    }

    MemoryAttention memoryAttention() {
        return memoryAttn;
    }

    /** The base block's linear layers by their names inside the layer ({@code self_attn.q_proj}, ...). */
    Map<String, Projection> baseProjections() {
        Map<String, Projection> out = new TreeMap<>();
        selfAttn.projections().forEach((name, p) -> out.put("self_attn." + name, p));
        mlp.projections().forEach((name, p) -> out.put("mlp." + name, p));
        return out;
    }

    SelfAttention selfAttention() {
        return selfAttn;
    }

    /** @param memory what the memory layer reads in this pass; null when the layer has none */
    Tensor forward(Tensor h, Rope rope, KvCache cache, MemoryRead memory) {
        h = h.add(selfAttn.forward(inputNorm.forward(h), rope, cache));
        if (memoryMlp == null) {
            h = readMemory(h, memory);
            return h.add(mlp.forward(postAttentionNorm.forward(h)));
        }
        h = h.add(mlp.forward(postAttentionNorm.forward(h)));
        h = readMemory(h, memory);
        return h.add(memoryMlp.forward(memoryMlpNorm.forward(h)));
    }

    /**
     * Whether a forward with {@code cache} and {@code memory} over {@code length} positions keeps no
     * tensor it makes past its return, except what it records into the read's trace.
     */
    boolean keepsNoTensors(KvCache cache, MemoryRead memory, long length) {
        return cache == null && (memoryAttn == null || memoryAttn.keepsNoTensors(memory, length));
    }

    private Tensor readMemory(Tensor h, MemoryRead read) {
        if (memoryAttn == null) {
            return h;
        }
        return h.add(memoryAttn.forward(memoryNorm.forward(h), read));
    }

    /** Registers a child of the memory layer (its parameters have the role MEMORY_LAYER). */
    private <M extends Module> M memoryPart(String name, M child) {
        memoryParts.add(name);
        return register_module(name, child);
    }

    /** The children registered as parts of the memory layer, by name. */
    List<String> memoryParts() {
        return memoryParts;
    }
}
