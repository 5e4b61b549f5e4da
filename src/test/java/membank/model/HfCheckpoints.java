package membank.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.ModelConfig;

/**
 * Tiny random checkpoints written the way Hugging Face transformers writes Qwen2 and Llama ones:
 * its config.json keys (with the extras membank ignores), bf16 or f32 tensors, tied or untied
 * heads, one file or shards with model.safetensors.index.json.
 */
public final class HfCheckpoints {
    private HfCheckpoints() {
    }

    public static ModelConfig qwen2(boolean tied) {
        return qwen2(97, tied);
    }

    /** A tiny Qwen2 whose vocabulary fits a real tokenizer of {@code vocab} ids. */
    public static ModelConfig qwen2(int vocab, boolean tied) {
        return TestConfigs.model("vocab_size=" + vocab, "num_hidden_layers=3", "rope_theta=1000000",
                "tie_word_embeddings=" + tied, "torch_dtype=bfloat16", "membank=null");
    }

    public static ModelConfig llama(boolean tied) {
        return TestConfigs.model("model_type=llama", "intermediate_size=48", "num_key_value_heads=4",
                "rms_norm_eps=1e-5", "tie_word_embeddings=" + tied, "membank=null");
    }

    /** Writes a random model of {@code config} into {@code dir}; returns it with the weights as stored. */
    public static MemoryLM write(Path dir, ModelConfig config, ScalarType dtype, int shards, long seed) {
        manual_seed(seed);
        MemoryLM model = new MemoryLM(config);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> tensors.put(name, p.detach().to(dtype).contiguous()));
        try {
            Files.createDirectories(dir);
            writeConfig(dir, config);
            writeShards(dir, tensors, shards);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The reference: the same model holding exactly the stored (rounded) values, set directly.
        Map<String, Tensor> params = model.namedParameters();
        try (NoGradGuard ignored = new NoGradGuard()) {
            tensors.forEach((name, t) -> params.get(name).copy_(t));
        }
        return model;
    }

    private static void writeConfig(Path dir, ModelConfig c) throws IOException {
        ObjectNode node = new ObjectMapper().createObjectNode();
        node.putArray("architectures").add(c.modelType() == ModelConfig.ModelType.QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        node.put("model_type", c.modelType().toString());
        node.put("vocab_size", c.vocabSize());
        node.put("hidden_size", c.hiddenSize());
        node.put("intermediate_size", c.intermediateSize());
        node.put("num_hidden_layers", c.numHiddenLayers());
        node.put("num_attention_heads", c.numAttentionHeads());
        node.put("num_key_value_heads", c.numKeyValueHeads());
        node.put("rms_norm_eps", c.rmsNormEps());
        node.put("rope_theta", c.ropeTheta());
        node.put("max_position_embeddings", c.maxPositionEmbeddings());
        node.put("tie_word_embeddings", c.tieWordEmbeddings());
        node.put("torch_dtype", c.torchDtype().toString());
        node.put("bos_token_id", c.bosTokenId());
        node.put("eos_token_id", c.eosTokenId());
        node.put("hidden_act", "silu");
        node.put("initializer_range", 0.02);
        node.put("use_cache", true);
        node.put("transformers_version", "4.43.1");
        node.putNull("rope_scaling");
        node.put("attention_dropout", 0.0);
        if (c.modelType() == ModelConfig.ModelType.QWEN2) {
            node.put("use_sliding_window", false);
            node.put("sliding_window", 131072);
            node.put("max_window_layers", 21);
        } else {
            node.put("attention_bias", c.attentionBias());
            node.put("mlp_bias", false);
            node.put("pretraining_tp", 1);
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), node);
    }

    private static void writeShards(Path dir, Map<String, Tensor> tensors, int shards) throws IOException {
        if (shards == 1) {
            SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            return;
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode index = new ObjectMapper().createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, Tensor> part = new LinkedHashMap<>();
            for (int i = s; i < names.size(); i += shards) {
                part.put(names.get(i), tensors.get(names.get(i)));
                map.put(names.get(i), file);
            }
            SafeTensors.write(dir.resolve(file), part, Map.of("format", "pt"));
        }
        new ObjectMapper().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    }
}
