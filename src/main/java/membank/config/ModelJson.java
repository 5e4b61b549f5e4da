package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.ModelConfig.ModelType;

/**
 * The top level of config.json: the Hugging Face keys of the base model plus the membank block,
 * bound to {@link ModelConfig.Builder}. The Hugging Face keys membank does not use are checked by
 * {@link HuggingFaceExtras} and taken out before binding.
 */
final class ModelJson {
    private ModelJson() {
    }

    static ModelConfig parse(JsonNode root) {
        JsonBlock top = JsonBlock.of(root, "");
        HuggingFaceExtras.check(top);
        ObjectNode bound = ((ObjectNode) root).deepCopy();
        // dtype is listed with the Hugging Face keys but read by the builder, as torch_dtype's newer spelling
        bound.remove(HuggingFaceExtras.KEYS.stream().filter(k -> !k.equals("dtype")).toList());
        return Bind.read(bound, ModelConfig.Builder.class, "", HuggingFaceExtras.KEYS).build();
    }

    static ObjectNode write(ModelConfig model) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("model_type", model.modelType().toString());
        // Hugging Face tools pick the model class from "architectures".
        node.putArray("architectures").add(model.modelType() == ModelType.QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
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
        if (model.modelType() == ModelType.LLAMA) {
            node.put("attention_bias", model.attentionBias());
        }
        node.put("torch_dtype", model.torchDtype().toString());
        node.put("bos_token_id", model.bosTokenId());
        node.put("eos_token_id", model.eosTokenId());
        if (model.hasMemory()) {
            node.set(MemoryConfig.PATH, MemoryJson.write(model.membank()));
        }
        return node;
    }
}
