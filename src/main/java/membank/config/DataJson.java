package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The {@code training.data} block: what to train on and how to tokenise it. */
final class DataJson {
    static final String PATH = "training.data";
    static final List<String> KEYS = List.of("kind", "path", "entities", "knowledge_seed", "val_fraction", "tokenizer");
    static final List<String> KINDS = List.of(DataConfig.KNOWLEDGE, DataConfig.TEXT, DataConfig.JSONL, DataConfig.CHAT);

    private DataJson() {
    }

    /** {@code block} null gives the synthetic knowledge set with the byte tokenizer. */
    static DataConfig parse(JsonBlock block) {
        if (block == null) {
            block = JsonBlock.of(JsonNodeFactory.instance.objectNode(), PATH);
        }
        block.rejectUnknown(KEYS);
        String kind = block.choice("kind", DataConfig.KNOWLEDGE, KINDS);
        String path = block.string("path", null);
        if (path == null && !kind.equals(DataConfig.KNOWLEDGE)) {
            throw new ConfigException("config key '" + block.key("path") + "' is missing: it is required when "
                    + block.key("kind") + " is \"" + kind + "\" (a " + (kind.equals(DataConfig.TEXT)
                    ? "folder of .txt files" : kind.equals(DataConfig.CHAT) ? ".jsonl file of {\"messages\": [...]} lines"
                    : ".jsonl file of {\"text\": ...} lines") + ")");
        }
        int entities = Require.positive(block.key("entities"), block.intValue("entities", 200));
        long seed = block.longValue("knowledge_seed", 0);
        double valFraction = Require.inRange(block.key("val_fraction"), block.doubleValue("val_fraction", 0.05),
                0, 1, true);
        String tokenizer = tokenizer(block);
        return new DataConfig(kind, path, entities, seed, valFraction, tokenizer);
    }

    static ObjectNode write(DataConfig data) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", data.kind());
        node.put("path", data.path());
        node.put("entities", data.entities());
        node.put("knowledge_seed", data.knowledgeSeed());
        node.put("val_fraction", data.valFraction());
        node.put("tokenizer", data.tokenizer());
        return node;
    }

    private static String tokenizer(JsonBlock block) {
        String tokenizer = block.string("tokenizer", "byte");
        if (tokenizer.isBlank()) {
            throw new ConfigException(block.key("tokenizer"), tokenizer,
                    "allowed: \"byte\" or a path to a tokenizer.json");
        }
        return tokenizer;
    }
}
