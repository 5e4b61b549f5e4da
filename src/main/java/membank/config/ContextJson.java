package membank.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The {@code membank.context} block (spec section 7); absent or null means no context bank. */
final class ContextJson {
    static final List<String> KEYS = List.of("ratio", "kl_beta", "recon_weight", "kv", "read_limit");
    static final List<String> KVS = List.of(ContextConfig.SHARED_KV, ContextConfig.OWN_KV);

    private ContextJson() {
    }

    static ContextConfig parse(JsonBlock block, BankConfig bank, int hidden) {
        if (block == null) {
            return null;
        }
        block.rejectUnknown(KEYS);
        int ratio = Require.positive(block.key("ratio"), block.intValue("ratio", 16));
        double beta = Require.nonNegative(block.key("kl_beta"), block.doubleValue("kl_beta", 0.01));
        double recon = Require.nonNegative(block.key("recon_weight"), block.doubleValue("recon_weight", 1.0));
        String kv = block.choice("kv", ContextConfig.SHARED_KV, KVS);
        if (ContextConfig.SHARED_KV.equals(kv) && bank.tokenWidth(hidden) != hidden) {
            throw new ConfigException(block.key("kv"), kv, "cannot share K/V projections with a reduced bank: its"
                    + " projections read " + bank.tokenWidth(hidden) + "-wide tokens and context vectors are "
                    + hidden + " wide; set membank.context.kv=own");
        }
        int readLimit = Require.positive(block.key("read_limit"), block.intValue("read_limit", 256));
        return new ContextConfig(ratio, beta, recon, kv, readLimit);
    }

    static ObjectNode write(ContextConfig context) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("ratio", context.ratio());
        node.put("kl_beta", context.klBeta());
        node.put("recon_weight", context.reconWeight());
        node.put("kv", context.kv());
        node.put("read_limit", context.readLimit());
        return node;
    }
}
