package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The {@code membank.bank} block. Only dense banks run in this version (spec section 5 lists more). */
final class BankJson {
    static final List<String> KEYS = List.of("kind", "rank", "quant");
    private static final List<String> LATER = List.of("factorized", "reduced");

    private BankJson() {
    }

    /** {@code block} null means the default, a dense bank. */
    static BankConfig parse(JsonBlock block) {
        if (block == null) {
            return BankConfig.dense();
        }
        block.rejectUnknown(KEYS);
        String kind = block.string("kind", BankConfig.DENSE);
        checkKind(block.key("kind"), kind);
        Require.notYet(block.key("rank"), block.raw("rank"), "a bank rank (factorized and reduced banks)");
        Require.notYet(block.key("quant"), block.raw("quant"), "bank quantisation");
        return BankConfig.dense();
    }

    static ObjectNode write(BankConfig bank) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", bank.kind());
        node.put("rank", bank.rank());
        node.put("quant", bank.quant());
        return node;
    }

    private static void checkKind(String key, String kind) {
        if (LATER.contains(kind)) {
            throw new ConfigException(key, kind, "the " + kind
                    + " bank is not supported yet in this version; allowed: dense");
        }
        if (!kind.equals(BankConfig.DENSE)) {
            throw new ConfigException(key, kind,
                    "allowed: dense (factorized and reduced are not supported yet in this version)");
        }
    }
}
