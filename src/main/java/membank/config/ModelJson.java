package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** The top level of config.json: the Hugging Face keys of the base model plus the membank block. */
final class ModelJson {
    static final String QWEN2 = "qwen2";
    static final String LLAMA = "llama";
    static final List<String> KEYS = List.of("model_type", "vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps",
            "rope_theta", "max_position_embeddings", "tie_word_embeddings", "attention_bias", "torch_dtype",
            "bos_token_id", "eos_token_id", MemoryJson.PATH, TrainJson.PATH);
    static final List<String> DTYPES = List.of("float32", "bfloat16", "float16");

    private ModelJson() {
    }

    static ModelConfig parse(JsonNode root) {
        JsonBlock top = JsonBlock.of(root, "");
        top.rejectUnknown(allowedKeys());
        HuggingFaceExtras.check(top);
        ModelConfig base = base(top);
        return base.withMembank(MemoryJson.parse(root.get(MemoryJson.PATH), base));
    }

    static ObjectNode write(ModelConfig model) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("model_type", model.modelType());
        // Hugging Face tools pick the model class from "architectures".
        node.putArray("architectures").add(model.modelType().equals(QWEN2) ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        node.put("vocab_size", model.vocabSize());
        node.put("hidden_size", model.hiddenSize());
        node.put("intermediate_size", model.intermediateSize());
        node.put("num_hidden_layers", model.numHiddenLayers());
        node.put("num_attention_heads", model.numAttentionHeads());
        node.put("num_key_value_heads", model.numKeyValueHeads());
        node.put("head_dim", model.headDim());
        node.put("rms_norm_eps", model.rmsNormEps());
        node.put("rope_theta", model.ropeTheta());
        node.put("max_position_embeddings", model.maxPositionEmbeddings());
        node.put("tie_word_embeddings", model.tieWordEmbeddings());
        if (model.modelType().equals(LLAMA)) {
            node.put("attention_bias", model.attentionBias());
        }
        node.put("torch_dtype", model.torchDtype());
        node.put("bos_token_id", model.bosTokenId());
        node.put("eos_token_id", model.eosTokenId());
        if (model.hasMemory()) {
            node.set(MemoryJson.PATH, MemoryJson.write(model.membank()));
        }
        return node;
    }

    private static List<String> allowedKeys() {
        List<String> keys = new ArrayList<>(KEYS);
        keys.addAll(HuggingFaceExtras.KEYS);
        return keys;
    }

    private static ModelConfig base(JsonBlock top) {
        String type = top.choice("model_type", null, List.of(QWEN2, LLAMA));
        int vocab = Require.positive("vocab_size", top.requiredInt("vocab_size"));
        int hidden = Require.positive("hidden_size", top.requiredInt("hidden_size"));
        int intermediate = Require.positive("intermediate_size", top.requiredInt("intermediate_size"));
        int layers = Require.positive("num_hidden_layers", top.requiredInt("num_hidden_layers"));
        int heads = Require.positive("num_attention_heads", top.requiredInt("num_attention_heads"));
        int kvHeads = kvHeads(top, heads);
        int headDim = headDim(top, hidden, heads);
        double eps = Require.positive("rms_norm_eps", top.doubleValue("rms_norm_eps", 1e-6));
        double theta = Require.positive("rope_theta", top.doubleValue("rope_theta", defaultRopeTheta(type)));
        int maxPositions = Require.positive("max_position_embeddings", top.intValue("max_position_embeddings", 2048));
        boolean tied = top.boolValue("tie_word_embeddings", false);
        boolean bias = attentionBias(top, type);
        String dtype = dtype(top);
        return new ModelConfig(type, vocab, hidden, intermediate, layers, heads, kvHeads, headDim, eps, theta,
                maxPositions, tied, bias, dtype, tokenId(top, "bos_token_id"), tokenId(top, "eos_token_id"), null);
    }

    private static double defaultRopeTheta(String type) {
        return type.equals(QWEN2) ? 1_000_000.0 : 10_000.0;
    }

    private static int kvHeads(JsonBlock top, int heads) {
        int kv = Require.positive("num_key_value_heads", top.intValue("num_key_value_heads", heads));
        if (heads % kv != 0) {
            throw new ConfigException("num_key_value_heads", kv, "must divide num_attention_heads " + heads);
        }
        return kv;
    }

    private static int headDim(JsonBlock top, int hidden, int heads) {
        if (top.has("head_dim")) {
            return Require.positive("head_dim", top.requiredInt("head_dim"));
        }
        if (hidden % heads != 0) {
            throw new ConfigException("num_attention_heads", heads,
                    "must divide hidden_size " + hidden + " (or set head_dim)");
        }
        return hidden / heads;
    }

    /** Qwen2 always has q/k/v biases (its config has no switch); the key is still type-checked. */
    private static boolean attentionBias(JsonBlock top, String type) {
        boolean written = top.boolValue("attention_bias", false);
        return type.equals(QWEN2) || written;
    }

    /** Newer transformers versions write "dtype" instead of "torch_dtype"; either is read. */
    private static String dtype(JsonBlock top) {
        String key = top.has("torch_dtype") || !top.has("dtype") ? "torch_dtype" : "dtype";
        return top.choice(key, "float32", DTYPES);
    }

    /** Llama 3 writes a list of end tokens; membank keeps the first, which is the one it generates. */
    private static Integer tokenId(JsonBlock top, String name) {
        JsonNode value = top.raw(name);
        if (value != null && value.isArray() && !value.isEmpty()) {
            if (!value.get(0).canConvertToExactIntegral()) {
                throw new ConfigException(name + "[0]", value.get(0), "must be an integer");
            }
            return value.get(0).asInt();
        }
        return top.optionalInt(name);
    }
}
