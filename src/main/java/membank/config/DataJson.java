package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The {@code training.data} block: what to train on and how to tokenise it. */
final class DataJson {
    static final String PATH = "training.data";
    static final List<String> KEYS = List.of("kind", "path", "entities", "knowledge_seed", "val_fraction", "tokenizer",
            "split", "utf8_errors");
    static final List<String> SPLIT_KEYS = List.of("by", "every", "fraction");
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
                    + block.key("kind") + " is \"" + kind + "\" (" + (kind.equals(DataConfig.CHAT)
                    ? "a .jsonl file of {\"messages\": [...]} lines, a folder of them, or a .gz of either"
                    : "a text file, a .jsonl file of {\"text\": ...} lines, a folder of either, or a .gz of either") + ")");
        }
        int entities = Require.positive(block.key("entities"), block.intValue("entities", 200));
        long seed = block.longValue("knowledge_seed", 0);
        double valFraction = Require.inRange(block.key("val_fraction"), block.doubleValue("val_fraction", 0.05),
                0, 1, true);
        String tokenizer = tokenizer(block, kind);
        String utf8Errors = block.choice("utf8_errors", DataConfig.FAIL, List.of(DataConfig.FAIL, DataConfig.REPLACE));
        return new DataConfig(kind, path, entities, seed, valFraction, tokenizer, split(block.child("split")), utf8Errors);
    }

    /** Absent or null: the run chooses when it starts and records its choice here. */
    private static SplitConfig split(JsonBlock block) {
        if (block == null) {
            return null;
        }
        block.rejectUnknown(SPLIT_KEYS);
        String by = block.choice("by", null, List.of(SplitConfig.DOCUMENTS, SplitConfig.TOKENS));
        if (by.equals(SplitConfig.DOCUMENTS)) {
            refuse(block, "fraction", by);
            return SplitConfig.documents(Require.atLeast(block.key("every"), block.requiredInt("every"), 2));
        }
        refuse(block, "every", by);
        Double fraction = block.optionalDouble("fraction");
        if (fraction == null) {
            throw new ConfigException("config key '" + block.key("fraction") + "' is missing: it is required when "
                    + block.key("by") + " is \"tokens\" (the share of each document's tokens held out, in (0, 1))");
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new ConfigException(block.key("fraction"), fraction, "must be in (0, 1)");
        }
        return SplitConfig.tokens(fraction);
    }

    private static void refuse(JsonBlock block, String key, String by) {
        if (block.has(key)) {
            throw new ConfigException("config key '" + block.key(key) + "' does not apply when " + block.key("by")
                    + " is \"" + by + "\"; remove it");
        }
    }

    static ObjectNode write(DataConfig data) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", data.kind());
        node.put("path", data.path());
        node.put("entities", data.entities());
        node.put("knowledge_seed", data.knowledgeSeed());
        node.put("val_fraction", data.valFraction());
        node.put("tokenizer", data.tokenizer());
        node.put("utf8_errors", data.utf8Errors());
        if (data.split() != null) {
            node.set("split", split(data.split()));
        }
        return node;
    }

    private static ObjectNode split(SplitConfig split) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("by", split.by());
        if (split.byTokens()) {
            node.put("fraction", split.fraction());
        } else {
            node.put("every", split.every());
        }
        return node;
    }

    private static String tokenizer(JsonBlock block, String kind) {
        String tokenizer = block.string("tokenizer", DataConfig.BYTE);
        if (tokenizer.isBlank()) {
            throw new ConfigException(block.key("tokenizer"), tokenizer,
                    "allowed: \"byte\", \"word\" (with " + block.key("kind") + " \"knowledge\") or a path to a tokenizer.json");
        }
        // The word tokenizer knows only the knowledge set's words: any other text would be mostly <|unk|>.
        if (tokenizer.equals(DataConfig.WORD) && !kind.equals(DataConfig.KNOWLEDGE)) {
            throw new ConfigException(block.key("tokenizer"), tokenizer, "the word tokenizer knows only the knowledge"
                    + " set's vocabulary, so it needs " + block.key("kind") + " \"knowledge\" (here \"" + kind
                    + "\"); for other data use \"byte\" or a path to a tokenizer.json");
        }
        return tokenizer;
    }
}
