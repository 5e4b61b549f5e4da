package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The {@code "membank"} block of config.json: where memory layers go, how banks are shared, and
 * the shape of memory attention. {@code layers} is always the resolved, sorted list of layer
 * indices (placement rules such as {@code every_n} are resolved by {@link Builder#build}, which also
 * fills the defaults that come from the base model).
 */
public record MemoryConfig(
        Variant variant,
        List<Integer> layers,
        Sharing sharing,
        int sharingK,
        int numTokens,
        int numHeads,
        int numKvHeads,
        int headDim,
        BankConfig bank,
        Integer projectionRank,
        ChapterConfig chapters,
        RouterLossConfig routerLosses,
        ContextConfig context) {

    static final String PATH = "membank";

    /** Where the memory sits in a layer (spec section 4): A between attention and MLP, B after the MLP. */
    public enum Variant {
        A, B
    }

    /** Which memory layers share a bank: all, none, or groups of {@code sharing_k}. */
    public enum Sharing {
        SHARED, PER_LAYER, EVERY_K;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MemoryConfig {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(sharing, "sharing");
        Objects.requireNonNull(bank, "bank");
        layers = List.copyOf(layers);
        Require.positive(PATH + ".sharing_k", sharingK);
        Require.positive(PATH + ".num_tokens", numTokens);
        Require.positive(PATH + ".num_heads", numHeads);
        Require.positive(PATH + ".num_kv_heads", numKvHeads);
        if (numHeads % numKvHeads != 0) {
            throw new ConfigException(PATH + ".num_kv_heads", numKvHeads, "must divide membank.num_heads " + numHeads);
        }
        Require.positive(PATH + ".head_dim", headDim);
        if (chapters != null && numTokens % chapters.count() != 0) {
            throw new ConfigException(ChapterConfig.PATH + ".count", chapters.count(),
                    "must divide membank.num_tokens " + numTokens + " (chapters are equal slices of the bank)");
        }
    }

    /** The same block with {@code context} (null removes the context bank). */
    public MemoryConfig withContext(ContextConfig context) {
        return with(b -> b.context(context));
    }

    /** The same block with the changes {@code edit} makes, e.g. {@code m.with(b -> b.numTokens(512))}. */
    public MemoryConfig with(UnaryOperator<Builder> edit) {
        return edit.apply(toBuilder()).build(null);
    }

    /** Every key written out, so that {@link Builder#build} gives this block back. */
    public Builder toBuilder() {
        return new Builder().variant(variant).layers(layers).sharing(sharing).sharingK(sharingK).numTokens(numTokens)
                .numHeads(numHeads).numKvHeads(numKvHeads).headDim(headDim).bank(bank).projectionRank(projectionRank)
                .chapters(chapters).routerLosses(routerLosses).context(context);
    }

    /** Which bank memory layer {@code layer} (a model layer index) reads. */
    public int bankIndex(int layer) {
        int position = layers.indexOf(layer);
        if (position < 0) {
            throw new IllegalArgumentException("layer " + layer + " is not a memory layer " + layers);
        }
        return switch (sharing) {
            case SHARED -> 0;
            case PER_LAYER -> position;
            case EVERY_K -> position / sharingK;
        };
    }

    public int numBanks() {
        return layers.isEmpty() ? 0 : bankIndex(layers.get(layers.size() - 1)) + 1;
    }

    public boolean isVariantB() {
        return variant == Variant.B;
    }

    /**
     * The block's keys with their defaults. Keys whose default comes from the base model (the heads,
     * the head width, the layers) stay null until {@link #build} is given the model.
     */
    public static final class Builder {
        /** Router losses not written at all: the default coefficients when there are chapters. */
        private static final RouterLossConfig.Builder UNSET = new RouterLossConfig.Builder();

        @JsonProperty("variant")
        private Variant variant = Variant.A;
        /** A list of layer indices or a placement rule; absent means every layer. */
        @JsonProperty("layers")
        private JsonNode layers;
        @JsonProperty("sharing")
        private Sharing sharing = Sharing.SHARED;
        @JsonProperty("sharing_k")
        private int sharingK = 1;
        @JsonProperty("num_tokens")
        private Integer numTokens;
        @JsonProperty("num_heads")
        private Integer numHeads;
        @JsonProperty("num_kv_heads")
        private Integer numKvHeads;
        @JsonProperty("head_dim")
        private Integer headDim;
        @JsonProperty("bank")
        private BankConfig.Builder bank;
        @JsonProperty("projection_rank")
        private Integer projectionRank;
        @JsonProperty("chapters")
        private ChapterConfig.Builder chapters;
        /** JSON null here means no router losses, unlike absent. */
        @JsonProperty("router_losses")
        @JsonSetter(nulls = Nulls.SET)
        private RouterLossConfig.Builder routerLosses = UNSET;
        @JsonProperty("context")
        private ContextConfig.Builder context;

        public Builder variant(Variant value) {
            variant = value;
            return this;
        }

        public Builder layers(List<Integer> value) {
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            value.forEach(list::add);
            layers = list;
            return this;
        }

        /** A placement rule such as {@code "every_n:2"}. */
        public Builder layers(String rule) {
            layers = TextNode.valueOf(rule);
            return this;
        }

        public Builder sharing(Sharing value) {
            sharing = value;
            return this;
        }

        public Builder sharingK(int value) {
            sharingK = value;
            return this;
        }

        public Builder numTokens(int value) {
            numTokens = value;
            return this;
        }

        public Builder numHeads(int value) {
            numHeads = value;
            return this;
        }

        public Builder numKvHeads(int value) {
            numKvHeads = value;
            return this;
        }

        public Builder headDim(int value) {
            headDim = value;
            return this;
        }

        public Builder bank(BankConfig value) {
            bank = value.toBuilder();
            return this;
        }

        public Builder projectionRank(Integer value) {
            projectionRank = value;
            return this;
        }

        public Builder chapters(ChapterConfig value) {
            chapters = value == null ? null : value.toBuilder();
            return this;
        }

        /** Null means no router losses (with chapters, the default is the default coefficients). */
        public Builder routerLosses(RouterLossConfig value) {
            routerLosses = value == null ? null : new RouterLossConfig.Builder().loadBalance(value.loadBalance()).z(value.z());
            return this;
        }

        public Builder context(ContextConfig value) {
            context = value == null ? null : value.toBuilder();
            return this;
        }

        /**
         * The block for the base model {@code base}, which supplies the defaults of the heads and the
         * layers and the width the bank and projections are checked against; null only when every
         * such key is set (as {@link MemoryConfig#toBuilder} sets them).
         */
        public MemoryConfig build(ModelConfig base) {
            int tokens = Require.positive(PATH + ".num_tokens", Require.present(PATH + ".num_tokens", numTokens, "an integer"));
            int heads = Require.positive(PATH + ".num_heads", numHeads != null ? numHeads : base.numAttentionHeads());
            int kvHeads = Require.positive(PATH + ".num_kv_heads", numKvHeads != null ? numKvHeads : heads);
            JsonNode spec = layers != null ? layers : TextNode.valueOf(Placement.ALL);
            List<Integer> resolved = Placement.resolve(spec, base == null ? Integer.MAX_VALUE : base.numHiddenLayers(),
                    PATH + ".layers");
            int dim = headDim != null ? headDim : defaultHeadDim(base.hiddenSize(), heads);
            int hidden = base == null ? Integer.MAX_VALUE : base.hiddenSize();
            BankConfig bankConfig = bank == null ? BankConfig.dense() : base == null ? bank.build() : bank.build(hidden);
            if (projectionRank != null && (projectionRank < 1 || projectionRank > hidden)) {
                throw new ConfigException(PATH + ".projection_rank", projectionRank, "must be null (full projections) or in"
                        + " [1, " + hidden + "] (hidden_size)");
            }
            ChapterConfig chapterConfig = chapters == null ? null : chapters.build();
            RouterLossConfig losses = routerLosses == UNSET ? (chapterConfig != null ? RouterLossConfig.defaults() : null)
                    : routerLosses == null ? null : routerLosses.build();
            ContextConfig contextConfig = context == null ? null : context.build();
            if (contextConfig != null && base != null) {
                contextConfig.checkBank(bankConfig, base.hiddenSize());
            }
            return new MemoryConfig(variant, resolved, sharing, sharingK, tokens, heads, kvHeads, dim, bankConfig,
                    projectionRank, chapterConfig, losses, contextConfig);
        }

        private static int defaultHeadDim(int hidden, int heads) {
            if (hidden % heads != 0) {
                throw new ConfigException(PATH + ".num_heads", heads,
                        "must divide hidden_size " + hidden + " (or set membank.head_dim)");
            }
            return hidden / heads;
        }
    }
}
