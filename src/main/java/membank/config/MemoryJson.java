package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code "membank"} block of config.json (spec: checkpoint-format.md, memory-math.md section 4),
 * bound to {@link MemoryConfig.Builder}, and its nested blocks written out.
 */
final class MemoryJson {
    private MemoryJson() {
    }

    /** {@code node} null or JSON null means a plain transformer; {@code base} supplies the defaults. */
    static MemoryConfig parse(JsonNode node, ModelConfig base) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Bind.read(node, MemoryConfig.Builder.class, MemoryConfig.PATH).build(base);
    }

    static ObjectNode write(MemoryConfig memory) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("variant", memory.variant().toString());
        memory.layers().forEach(node.putArray("layers")::add);
        node.put("sharing", memory.sharing().toString());
        node.put("sharing_k", memory.sharingK());
        node.put("num_tokens", memory.numTokens());
        node.put("num_heads", memory.numHeads());
        node.put("num_kv_heads", memory.numKvHeads());
        node.put("head_dim", memory.headDim());
        node.set("bank", write(memory.bank()));
        node.put("projection_rank", memory.projectionRank());
        node.set("chapters", memory.chapters() == null ? null : write(memory.chapters()));
        node.set("router_losses", memory.routerLosses() == null ? null : write(memory.routerLosses()));
        if (memory.context() != null) {
            node.set("context", write(memory.context()));
        }
        return node;
    }

    static ObjectNode write(BankConfig bank) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", bank.kind().toString());
        node.put("rank", bank.rank());
        node.put("quant", bank.quant() == null ? null : bank.quant().toString());
        if (bank.groupSize() != null) {
            node.put("group_size", bank.groupSize());
        }
        return node;
    }

    static ObjectNode write(ChapterConfig chapters) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("count", chapters.count());
        node.put("top_k", chapters.topK());
        node.put("shared", chapters.shared());
        node.put("routed_scale", chapters.routedScale());
        node.put("routing", chapters.routing().toString());
        node.put("mixing", chapters.mixing().toString());
        return node;
    }

    static ObjectNode write(RouterLossConfig losses) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("load_balance", losses.loadBalance());
        node.put("z", losses.z());
        return node;
    }

    static ObjectNode write(ContextConfig context) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("ratio", context.ratio());
        node.put("kl_beta", context.klBeta());
        node.put("recon_weight", context.reconWeight());
        node.put("kv", context.kv().toString());
        node.put("read_limit", context.readLimit());
        return node;
    }
}
