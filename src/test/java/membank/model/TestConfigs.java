package membank.model;

import java.util.List;

import membank.config.BankConfig;
import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;

/** Tiny configurations built in code, for tests that need no config file. */
public final class TestConfigs {
    private TestConfigs() {
    }

    public static ModelConfig plain() {
        return new ModelConfig("qwen2", 97, 32, 64, 2, 4, 2, 8, 1e-6, 10000.0, 128, true, true,
                "float32", 1, 2, null);
    }

    public static ModelConfig withMemory(String variant, List<Integer> layers, String sharing, int kvHeads) {
        MemoryConfig memory = new MemoryConfig(variant, layers, sharing, 1, 24, 4, kvHeads, 8,
                BankConfig.dense(), null, null, null);
        return plain().withMembank(memory);
    }

    /** Memory on both layers, one bank each (24 tokens), with the given bank, projection rank and chapters. */
    public static ModelConfig withBank(BankConfig bank, Integer projectionRank, ChapterConfig chapters) {
        MemoryConfig memory = new MemoryConfig("A", List.of(0, 1), "per_layer", 1, 24, 4, 2, 8, bank, projectionRank,
                chapters, null);
        return plain().withMembank(memory);
    }
}
