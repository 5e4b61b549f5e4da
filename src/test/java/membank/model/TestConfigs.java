package membank.model;

import java.util.ArrayList;
import java.util.List;

import membank.config.ModelConfig;
import membank.config.Presets;

/**
 * Tiny configurations for tests: the {@code tiny} preset made smaller (d = 32, 2 layers, 4 heads of
 * 8 with 2 kv heads, vocabulary 97) by {@code --set} style overrides, as the CLI would.
 */
public final class TestConfigs {
    private static final List<String> SMALLER = List.of("vocab_size=97", "hidden_size=32", "intermediate_size=64",
            "rope_theta=10000", "max_position_embeddings=128", "bos_token_id=1", "eos_token_id=2");

    private TestConfigs() {
    }

    /** The tiny model, smaller, with {@code sets} ("membank.num_tokens=24", ...) applied after. */
    public static ModelConfig model(String... sets) {
        List<String> all = new ArrayList<>(SMALLER);
        all.addAll(List.of(sets));
        return Presets.model("tiny", all.toArray(String[]::new));
    }

    public static ModelConfig plain() {
        return model("membank=null");
    }

    /** Memory of 24 tokens read by 4 heads on {@code layers}, a dense bank, no chapters. */
    public static ModelConfig withMemory(String variant, List<Integer> layers, String sharing, int kvHeads) {
        return model("membank.variant=" + variant, "membank.layers=" + layers, "membank.sharing=" + sharing,
                "membank.num_tokens=24", "membank.num_kv_heads=" + kvHeads);
    }

    /**
     * Memory on both layers, one bank each (24 tokens), no router losses, with {@code sets} applied
     * after, e.g. {@code "membank.bank={\"kind\": \"reduced\", \"rank\": 8}"} or a chapters block.
     */
    public static ModelConfig withBank(String... sets) {
        List<String> all = new ArrayList<>(List.of("membank.layers=[0, 1]", "membank.sharing=per_layer",
                "membank.num_tokens=24", "membank.num_kv_heads=2", "membank.router_losses=null"));
        all.addAll(List.of(sets));
        return model(all.toArray(String[]::new));
    }
}
