package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;

import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The base transformer's configuration, with the Hugging Face config.json names (snake_case there,
 * camelCase here), plus the optional memory block. Instances come from {@link ConfigJson}, which
 * binds config.json to a {@link Builder} (the keys and their defaults); {@code headDim} is always
 * resolved (explicit or hidden/heads).
 */
public record ModelConfig(
        ModelType modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        Dtype torchDtype,
        Integer bosTokenId,
        Integer eosTokenId,
        MemoryConfig membank) {

    /** {@code model_type}: the Hugging Face architecture whose weights and names membank follows. */
    public enum ModelType {
        QWEN2, LLAMA;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code torch_dtype}: how the weights are stored. */
    public enum Dtype {
        FLOAT32(4), BFLOAT16(2), FLOAT16(2);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per stored value. */
        public int bytes() {
            return bytes;
        }

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ModelConfig {
        Objects.requireNonNull(modelType, "model_type");
        Require.positive("vocab_size", vocabSize);
        Require.positive("hidden_size", hiddenSize);
        Require.positive("intermediate_size", intermediateSize);
        Require.positive("num_hidden_layers", numHiddenLayers);
        Require.positive("num_attention_heads", numAttentionHeads);
        Require.positive("num_key_value_heads", numKeyValueHeads);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new ConfigException("num_key_value_heads", numKeyValueHeads, "must divide num_attention_heads "
                    + numAttentionHeads);
        }
        Require.positive("head_dim", headDim);
        Require.positive("rms_norm_eps", rmsNormEps);
        Require.positive("rope_theta", ropeTheta);
        Require.positive("max_position_embeddings", maxPositionEmbeddings);
        Objects.requireNonNull(torchDtype, "torch_dtype");
    }

    public boolean hasMemory() {
        return membank != null;
    }

    public boolean isMemoryLayer(int layer) {
        return membank != null && membank.layers().contains(layer);
    }

    /** The same model for another tokenizer: its embedding size and its BOS/EOS ids. */
    public ModelConfig withTokenizer(int size, Integer bos, Integer eos) {
        return with(b -> b.vocabSize(size).bosTokenId(bos).eosTokenId(eos));
    }

    /** The same base model with another memory block (null: a plain transformer). */
    public ModelConfig withMembank(MemoryConfig memory) {
        return with(b -> b.membank(memory));
    }

    /** The same model with the changes {@code edit} makes, e.g. {@code c.with(b -> b.hiddenSize(128))}. */
    public ModelConfig with(UnaryOperator<Builder> edit) {
        return edit.apply(toBuilder()).build();
    }

    /** Every key written out, so that {@link Builder#build} gives this config back. */
    public Builder toBuilder() {
        return new Builder().modelType(modelType).vocabSize(vocabSize).hiddenSize(hiddenSize)
                .intermediateSize(intermediateSize).numHiddenLayers(numHiddenLayers).numAttentionHeads(numAttentionHeads)
                .numKeyValueHeads(numKeyValueHeads).headDim(headDim).rmsNormEps(rmsNormEps).ropeTheta(ropeTheta)
                .maxPositionEmbeddings(maxPositionEmbeddings).tieWordEmbeddings(tieWordEmbeddings)
                .attentionBias(attentionBias).torchDtype(torchDtype).bosTokenId(bosTokenId).eosTokenId(eosTokenId)
                .membank(membank);
    }

    /**
     * The top-level keys of config.json with their defaults. Required keys are null until set;
     * {@code membank} is the memory block as written, resolved against the base model by {@link #build}.
     */
    public static final class Builder {
        @JsonProperty("model_type")
        private ModelType modelType;
        @JsonProperty("vocab_size")
        private Integer vocabSize;
        @JsonProperty("hidden_size")
        private Integer hiddenSize;
        @JsonProperty("intermediate_size")
        private Integer intermediateSize;
        @JsonProperty("num_hidden_layers")
        private Integer numHiddenLayers;
        @JsonProperty("num_attention_heads")
        private Integer numAttentionHeads;
        /** Default: num_attention_heads (no grouped-query attention). */
        @JsonProperty("num_key_value_heads")
        private Integer numKeyValueHeads;
        /** Default: hidden_size / num_attention_heads. */
        @JsonProperty("head_dim")
        private Integer headDim;
        @JsonProperty("rms_norm_eps")
        private double rmsNormEps = 1e-6;
        /** Default: 1,000,000 for qwen2, 10,000 for llama. */
        @JsonProperty("rope_theta")
        private Double ropeTheta;
        @JsonProperty("max_position_embeddings")
        private int maxPositionEmbeddings = 2048;
        @JsonProperty("tie_word_embeddings")
        private boolean tieWordEmbeddings = false;
        /** Llama only: Qwen2 always has q/k/v biases, whatever is written. */
        @JsonProperty("attention_bias")
        private boolean attentionBias = false;
        /** Default float32; newer transformers versions write {@code dtype} instead. */
        @JsonProperty("torch_dtype")
        private Dtype torchDtype;
        /** Read only when torch_dtype is not written. */
        @JsonProperty("dtype")
        private JsonNode dtype;
        /** An id, or a list whose first id is kept (Llama 3 lists its end tokens). */
        @JsonProperty("bos_token_id")
        private JsonNode bosTokenId;
        @JsonProperty("eos_token_id")
        private JsonNode eosTokenId;
        @JsonProperty(MemoryConfig.PATH)
        private MemoryConfig.Builder membank;
        /** Read by {@link RunConfig}; a model alone ignores it. */
        @JsonProperty(TrainConfig.PATH)
        private JsonNode training;

        public Builder modelType(ModelType value) {
            modelType = value;
            return this;
        }

        public Builder vocabSize(int value) {
            vocabSize = value;
            return this;
        }

        public Builder hiddenSize(int value) {
            hiddenSize = value;
            return this;
        }

        public Builder intermediateSize(int value) {
            intermediateSize = value;
            return this;
        }

        public Builder numHiddenLayers(int value) {
            numHiddenLayers = value;
            return this;
        }

        public Builder numAttentionHeads(int value) {
            numAttentionHeads = value;
            return this;
        }

        public Builder numKeyValueHeads(int value) {
            numKeyValueHeads = value;
            return this;
        }

        public Builder headDim(int value) {
            headDim = value;
            return this;
        }

        public Builder rmsNormEps(double value) {
            rmsNormEps = value;
            return this;
        }

        public Builder ropeTheta(double value) {
            ropeTheta = value;
            return this;
        }

        public Builder maxPositionEmbeddings(int value) {
            maxPositionEmbeddings = value;
            return this;
        }

        public Builder tieWordEmbeddings(boolean value) {
            tieWordEmbeddings = value;
            return this;
        }

        public Builder attentionBias(boolean value) {
            attentionBias = value;
            return this;
        }

        public Builder torchDtype(Dtype value) {
            torchDtype = value;
            dtype = null;
            return this;
        }

        public Builder bosTokenId(Integer value) {
            bosTokenId = value == null ? null : IntNode.valueOf(value);
            return this;
        }

        public Builder eosTokenId(Integer value) {
            eosTokenId = value == null ? null : IntNode.valueOf(value);
            return this;
        }

        public Builder membank(MemoryConfig value) {
            membank = value == null ? null : value.toBuilder();
            return this;
        }

        /** Checks every key and resolves the defaults, the memory block's against this base model. */
        public ModelConfig build() {
            ModelConfig base = build(null);
            return membank == null ? base : build(membank.build(base));
        }

        private ModelConfig build(MemoryConfig memory) {
            ModelType type = Require.present("model_type", modelType, "one of " + Bind.allowed(ModelType.class));
            int hidden = required("hidden_size", hiddenSize);
            int heads = Require.positive("num_attention_heads", required("num_attention_heads", numAttentionHeads));
            int kvHeads = Require.positive("num_key_value_heads", numKeyValueHeads != null ? numKeyValueHeads : heads);
            int dim = headDim != null ? headDim : defaultHeadDim(hidden, heads);
            double theta = ropeTheta != null ? ropeTheta : type == ModelType.QWEN2 ? 1_000_000.0 : 10_000.0;
            return new ModelConfig(type, required("vocab_size", vocabSize), hidden,
                    required("intermediate_size", intermediateSize), required("num_hidden_layers", numHiddenLayers),
                    heads, kvHeads, dim, rmsNormEps, theta, maxPositionEmbeddings, tieWordEmbeddings,
                    type == ModelType.QWEN2 || attentionBias, dtype(), tokenId("bos_token_id", bosTokenId),
                    tokenId("eos_token_id", eosTokenId), memory);
        }

        private static int required(String key, Integer value) {
            return Require.positive(key, Require.present(key, value, "an integer"));
        }

        private static int defaultHeadDim(int hidden, int heads) {
            if (hidden % heads != 0) {
                throw new ConfigException("num_attention_heads", heads,
                        "must divide hidden_size " + hidden + " (or set head_dim)");
            }
            return hidden / heads;
        }

        private Dtype dtype() {
            if (torchDtype != null || dtype == null) {
                return torchDtype == null ? Dtype.FLOAT32 : torchDtype;
            }
            if (!dtype.isTextual()) {
                throw new ConfigException("dtype", dtype, "must be a string");
            }
            for (Dtype d : Dtype.values()) {
                if (d.toString().equals(dtype.textValue())) {
                    return d;
                }
            }
            throw new ConfigException("dtype", dtype.textValue(), "allowed: " + Bind.allowed(Dtype.class));
        }

        private static Integer tokenId(String name, JsonNode value) {
            if (value == null) {
                return null;
            }
            JsonNode id = value.isArray() && !value.isEmpty() ? value.get(0) : value;
            String key = id == value ? name : name + "[0]";
            if (!id.isNumber() || !id.canConvertToExactIntegral() || !id.canConvertToInt()) {
                throw new ConfigException(key, id, "must be an integer");
            }
            return id.asInt();
        }
    }
}
