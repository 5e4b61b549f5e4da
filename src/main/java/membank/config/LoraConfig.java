package membank.config;

import java.util.List;

/**
 * A LoRA adapter with PEFT's meaning: rank {@code r}, scale {@code alpha / r}, dropout on the
 * adapter's input while training, and the base modules it targets by their last name
 * ({@code q_proj}, {@code gate_proj}, ...).
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules) {
    /** The linear layers of a Qwen2/Llama block that LoRA can target. */
    public static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj",
            "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
    }

    public double scale() {
        return alpha / r;
    }
}
