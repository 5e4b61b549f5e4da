package membank.model;

import java.util.EnumMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import membank.memory.MemoryBank;

/**
 * What a parameter is for: the bank, a memory layer (the context bank's encoder and decoder count
 * as memory layers: they serve the memory side), or the backbone. A model records the role of each
 * part as it registers it ({@link MemoryLM#role}); {@link #of} tells it from a tensor's Hugging Face
 * name alone, for tensors read from a file.
 */
public enum ParameterRole {
    BACKBONE, MEMORY_LAYER, BANK;

    public static ParameterRole of(String name) {
        if (name.startsWith("model.memory.banks.")) {
            return BANK;
        }
        boolean memory = name.contains(".memory_attn.") || name.contains(".memory_layernorm.")
                || name.contains(".memory_mlp.") || name.contains(".memory_mlp_layernorm.")
                || name.startsWith("model.context_");
        return memory ? MEMORY_LAYER : BACKBONE;
    }

    /** Number of scalars per role. */
    public static Map<ParameterRole, Long> count(MemoryLM model) {
        Map<ParameterRole, Long> out = new EnumMap<>(ParameterRole.class);
        for (ParameterRole role : values()) {
            out.put(role, 0L);
        }
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            // rows trained alone stand in for bank rows already counted with their bank
            if (e.getKey().endsWith("." + MemoryBank.TRAINED_ROWS)) {
                continue;
            }
            out.merge(model.role(e.getKey()), e.getValue().numel(), Long::sum);
        }
        return out;
    }
}
