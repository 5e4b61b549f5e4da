package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The {@code membank.bank} block: {@code {"kind": "dense"|"factorized"|"reduced", "rank": r,
 * "quant": null|"int8"|"int4", "group_size": g}}. {@code rank} belongs to factorized and reduced
 * banks; {@code group_size} (default 32) to int4, whose groups must tile a row.
 */
final class BankJson {
    static final List<String> KEYS = List.of("kind", "rank", "quant", "group_size");
    static final List<String> KINDS = List.of(BankConfig.DENSE, BankConfig.FACTORIZED, BankConfig.REDUCED);
    static final List<String> QUANTS = List.of(BankConfig.INT8, BankConfig.INT4);

    private BankJson() {
    }

    /** {@code block} null means the default, a dense float bank; {@code hidden} is the model's d. */
    static BankConfig parse(JsonBlock block, int hidden) {
        if (block == null) {
            return BankConfig.dense();
        }
        block.rejectUnknown(KEYS);
        String kind = block.choice("kind", BankConfig.DENSE, KINDS);
        Integer rank = rank(block, kind, hidden);
        String quant = quant(block, kind);
        Integer groupSize = groupSize(block, quant, kind.equals(BankConfig.DENSE) ? hidden : rank);
        return new BankConfig(kind, rank, quant, groupSize);
    }

    static ObjectNode write(BankConfig bank) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", bank.kind());
        node.put("rank", bank.rank());
        node.put("quant", bank.quant());
        if (bank.groupSize() != null) {
            node.put("group_size", bank.groupSize());
        }
        return node;
    }

    private static Integer rank(JsonBlock block, String kind, int hidden) {
        String key = block.key("rank");
        Integer rank = block.optionalInt("rank");
        if (kind.equals(BankConfig.DENSE)) {
            if (rank != null) {
                throw new ConfigException(key, rank, "must be null for a dense bank (a rank belongs to kind factorized"
                        + " or reduced)");
            }
            return null;
        }
        if (rank == null) {
            throw new ConfigException("config key '" + key + "' is missing: a " + kind + " bank needs a rank, an integer"
                    + " in [1, " + hidden + "] (hidden_size)");
        }
        if (rank < 1 || rank > hidden) {
            throw new ConfigException(key, rank, "must be in [1, " + hidden + "] (hidden_size)");
        }
        return rank;
    }

    private static String quant(JsonBlock block, String kind) {
        if (!block.has("quant")) {
            return null;
        }
        String quant = block.choice("quant", null, QUANTS);
        if (kind.equals(BankConfig.FACTORIZED)) {
            throw new ConfigException(block.key("quant"), quant, "a factorized bank is not quantised in this version"
                    + " (allowed with kind dense or reduced; must be null here)");
        }
        return quant;
    }

    /** int4 groups must tile a row, and hold whole bytes (two codes per byte). */
    private static Integer groupSize(JsonBlock block, String quant, int rowWidth) {
        String key = block.key("group_size");
        if (!BankConfig.INT4.equals(quant)) {
            if (block.has("group_size")) {
                throw new ConfigException(key, block.raw("group_size"), "must be null unless quant is int4 (int8 has one"
                        + " scale per row)");
            }
            return null;
        }
        int group = block.intValue("group_size", BankConfig.DEFAULT_GROUP_SIZE);
        if (group < 2 || group % 2 != 0 || rowWidth % group != 0) {
            throw new ConfigException(key, group, "must be an even number that divides the bank row width " + rowWidth
                    + " (hidden_size for a dense bank, rank otherwise)");
        }
        return group;
    }
}
