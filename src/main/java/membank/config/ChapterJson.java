package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The {@code membank.chapters} and {@code membank.router_losses} blocks (spec section 2). */
final class ChapterJson {
    static final List<String> KEYS = List.of("count", "top_k", "shared", "routed_scale", "routing", "mixing");
    static final List<String> LOSS_KEYS = List.of("load_balance", "z");
    static final List<String> ROUTINGS = List.of("sequence", "prefix", "token");
    static final List<String> MIXINGS = List.of("independent", "joint");
    static final double DEFAULT_LOAD_BALANCE = 0.01;
    static final double DEFAULT_Z = 0.001;

    private ChapterJson() {
    }

    /** {@code block} null means dense memory without chapters. */
    static ChapterConfig parse(JsonBlock block, int numTokens) {
        if (block == null) {
            return null;
        }
        block.rejectUnknown(KEYS);
        int count = Require.positive(block.key("count"), block.requiredInt("count"));
        if (numTokens % count != 0) {
            throw new ConfigException(block.key("count"), count,
                    "must divide membank.num_tokens " + numTokens + " (chapters are equal slices of the bank)");
        }
        int shared = Require.inRange(block.key("shared"), block.intValue("shared", 0), 0, count - 1);
        int topK = Require.inRange(block.key("top_k"), block.requiredInt("top_k"), 1, count - shared);
        double scale = Require.positive(block.key("routed_scale"), block.doubleValue("routed_scale", 1.0));
        String routing = block.choice("routing", "sequence", ROUTINGS);
        String mixing = block.choice("mixing", "independent", MIXINGS);
        return new ChapterConfig(count, topK, shared, scale, routing, mixing);
    }

    /**
     * Absent router_losses get the default coefficients when chapters are routed; an explicit null
     * (or no chapters) means no router losses.
     */
    static RouterLossConfig parseLosses(JsonBlock memory, ChapterConfig chapters) {
        JsonBlock block = memory.child("router_losses");
        if (block == null) {
            boolean defaulted = chapters != null && !memory.written("router_losses");
            return defaulted ? new RouterLossConfig(DEFAULT_LOAD_BALANCE, DEFAULT_Z) : null;
        }
        block.rejectUnknown(LOSS_KEYS);
        double balance = Require.nonNegative(block.key("load_balance"),
                block.doubleValue("load_balance", DEFAULT_LOAD_BALANCE));
        double z = Require.nonNegative(block.key("z"), block.doubleValue("z", DEFAULT_Z));
        return new RouterLossConfig(balance, z);
    }

    static ObjectNode write(ChapterConfig chapters) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("count", chapters.count());
        node.put("top_k", chapters.topK());
        node.put("shared", chapters.shared());
        node.put("routed_scale", chapters.routedScale());
        node.put("routing", chapters.routing());
        node.put("mixing", chapters.mixing());
        return node;
    }

    static ObjectNode write(RouterLossConfig losses) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("load_balance", losses.loadBalance());
        node.put("z", losses.z());
        return node;
    }
}
