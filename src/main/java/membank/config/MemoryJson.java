package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/** The {@code "membank"} block of config.json (spec: checkpoint-format.md, memory-math.md section 4). */
final class MemoryJson {
    static final String PATH = "membank";
    static final List<String> KEYS = List.of("variant", "layers", "sharing", "sharing_k", "num_tokens",
            "num_heads", "num_kv_heads", "head_dim", "bank", "projection_rank", "chapters", "router_losses", "context");
    static final List<String> VARIANTS = List.of(MemoryConfig.VARIANT_A, MemoryConfig.VARIANT_B);
    static final List<String> SHARINGS = List.of(MemoryConfig.SHARED, MemoryConfig.PER_LAYER, MemoryConfig.EVERY_K);

    private MemoryJson() {
    }

    /** {@code node} null or JSON null means a plain transformer; {@code base} supplies the defaults. */
    static MemoryConfig parse(JsonNode node, ModelConfig base) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        JsonBlock block = JsonBlock.of(node, PATH);
        block.rejectUnknown(KEYS);
        String variant = block.choice("variant", MemoryConfig.VARIANT_A, VARIANTS);
        List<Integer> layers = layers(block, base.numHiddenLayers());
        String sharing = block.choice("sharing", MemoryConfig.SHARED, SHARINGS);
        int sharingK = Require.positive(block.key("sharing_k"), block.intValue("sharing_k", 1));
        int numTokens = Require.positive(block.key("num_tokens"), block.requiredInt("num_tokens"));
        int numHeads = Require.positive(block.key("num_heads"), block.intValue("num_heads", base.numAttentionHeads()));
        int numKvHeads = kvHeads(block, numHeads);
        int headDim = headDim(block, base.hiddenSize(), numHeads);
        BankConfig bank = BankJson.parse(block.child("bank"), base.hiddenSize());
        Integer projectionRank = projectionRank(block, base.hiddenSize());
        ChapterConfig chapters = ChapterJson.parse(block.child("chapters"), numTokens);
        RouterLossConfig losses = ChapterJson.parseLosses(block, chapters);
        ContextConfig context = ContextJson.parse(block.child("context"), bank, base.hiddenSize());
        return new MemoryConfig(variant, layers, sharing, sharingK, numTokens, numHeads, numKvHeads, headDim,
                bank, projectionRank, chapters, losses, context);
    }

    static ObjectNode write(MemoryConfig memory) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("variant", memory.variant());
        memory.layers().forEach(node.putArray("layers")::add);
        node.put("sharing", memory.sharing());
        node.put("sharing_k", memory.sharingK());
        node.put("num_tokens", memory.numTokens());
        node.put("num_heads", memory.numHeads());
        node.put("num_kv_heads", memory.numKvHeads());
        node.put("head_dim", memory.headDim());
        node.set("bank", BankJson.write(memory.bank()));
        node.put("projection_rank", memory.projectionRank());
        node.set("chapters", memory.chapters() == null ? null : ChapterJson.write(memory.chapters()));
        node.set("router_losses", memory.routerLosses() == null ? null : ChapterJson.write(memory.routerLosses()));
        if (memory.context() != null) {
            node.set("context", ContextJson.write(memory.context()));
        }
        return node;
    }

    /** Absent layers mean every layer, so that {@code --set membank.num_tokens=N} alone adds memory. */
    private static List<Integer> layers(JsonBlock block, int numLayers) {
        JsonNode spec = block.has("layers") ? block.raw("layers") : TextNode.valueOf(Placement.ALL);
        return Placement.resolve(spec, numLayers, block.key("layers"));
    }

    /** Null for full projections; else W = W_up W_down with a rank in [1, d]. */
    private static Integer projectionRank(JsonBlock block, int hidden) {
        Integer rank = block.optionalInt("projection_rank");
        if (rank != null && (rank < 1 || rank > hidden)) {
            throw new ConfigException(block.key("projection_rank"), rank, "must be null (full projections) or in [1, "
                    + hidden + "] (hidden_size)");
        }
        return rank;
    }

    private static int kvHeads(JsonBlock block, int numHeads) {
        int kv = Require.positive(block.key("num_kv_heads"), block.intValue("num_kv_heads", numHeads));
        if (numHeads % kv != 0) {
            throw new ConfigException(block.key("num_kv_heads"), kv, "must divide membank.num_heads " + numHeads);
        }
        return kv;
    }

    private static int headDim(JsonBlock block, int hidden, int numHeads) {
        if (block.has("head_dim")) {
            return Require.positive(block.key("head_dim"), block.requiredInt("head_dim"));
        }
        if (hidden % numHeads != 0) {
            throw new ConfigException(block.key("num_heads"), numHeads,
                    "must divide hidden_size " + hidden + " (or set membank.head_dim)");
        }
        return hidden / numHeads;
    }
}
