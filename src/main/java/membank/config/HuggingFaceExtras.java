package membank.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Top-level keys that real Hugging Face Qwen2/Llama checkpoints carry and membank does not use.
 * They are accepted so such checkpoints load, but those that would change the math must have the
 * value membank implements (spec section 6): a checkpoint with sliding windows or rope scaling would
 * otherwise load and silently compute something else.
 */
final class HuggingFaceExtras {
    static final List<String> KEYS = List.of("architectures", "transformers_version", "hidden_act",
            "initializer_range", "use_cache", "use_sliding_window", "sliding_window", "max_window_layers",
            "attention_dropout", "rope_scaling", "pretraining_tp", "mlp_bias", "pad_token_id", "_name_or_path",
            "layer_types", "dtype", "tokenizer_class", "model_name_or_path");

    private HuggingFaceExtras() {
    }

    static void check(JsonBlock top) {
        requireText(top, "hidden_act", "silu", "membank's MLP is SwiGLU");
        requireFalse(top, "use_sliding_window", "sliding-window attention is not supported");
        requireFalse(top, "mlp_bias", "MLP biases are not supported");
        if (top.has("rope_scaling")) {
            throw new ConfigException("rope_scaling", top.raw("rope_scaling"),
                    "must be null (rope scaling is not supported)");
        }
        checkLayerTypes(top);
    }

    private static void requireText(JsonBlock top, String name, String wanted, String why) {
        if (top.has(name) && !wanted.equals(top.string(name, wanted))) {
            throw new ConfigException(name, top.raw(name).textValue(), "must be \"" + wanted + "\" (" + why + ")");
        }
    }

    private static void requireFalse(JsonBlock top, String name, String why) {
        if (top.boolValue(name, false)) {
            throw new ConfigException(name, true, "must be false (" + why + ")");
        }
    }

    private static void checkLayerTypes(JsonBlock top) {
        JsonNode types = top.raw("layer_types");
        if (types == null) {
            return;
        }
        for (int i = 0; i < types.size(); i++) {
            if (!"full_attention".equals(types.get(i).asText())) {
                throw new ConfigException("layer_types[" + i + "]", types.get(i),
                        "must be \"full_attention\" (sliding-window attention is not supported)");
            }
        }
    }
}
