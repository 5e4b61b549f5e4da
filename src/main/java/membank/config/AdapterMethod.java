package membank.config;

import java.util.Arrays;
import java.util.List;

/**
 * How a pretrained base is fine-tuned: memory layers, LoRA, both, every weight, or the few bank rows
 * the new data reads most (sparse memory finetuning, on a base that has memory). All but
 * {@code full} produce an adapter directory (PEFT's {@code peft_type} is the label); {@code full} a
 * whole model.
 */
public enum AdapterMethod {
    MEMORY("memory", "MEMORY"),
    LORA("lora", "LORA"),
    MEMORY_LORA("memory+lora", "MEMORY+LORA"),
    FULL("full", null),
    SPARSE_MEMORY("sparse-memory", "SPARSE_MEMORY");

    private final String cliName;
    private final String peftType;

    AdapterMethod(String cliName, String peftType) {
        this.cliName = cliName;
        this.peftType = peftType;
    }

    public String cliName() {
        return cliName;
    }

    /** PEFT's {@code peft_type}; null for full fine-tuning, which writes a model, not an adapter. */
    public String peftType() {
        return peftType;
    }

    public boolean usesMemory() {
        return this == MEMORY || this == MEMORY_LORA;
    }

    /** Whether the method trains rows of the base's own bank, so the base must have memory. */
    public boolean needsMemoryBase() {
        return this == SPARSE_MEMORY;
    }

    public boolean usesLora() {
        return this == LORA || this == MEMORY_LORA;
    }

    public static List<String> cliNames() {
        return Arrays.stream(values()).map(AdapterMethod::cliName).toList();
    }

    /** By its command-line name ({@code memory+lora}) or its PEFT type ({@code MEMORY+LORA}). */
    public static AdapterMethod of(String key, String name) {
        for (AdapterMethod m : values()) {
            if (m.cliName.equals(name) || name.equals(m.peftType)) {
                return m;
            }
        }
        throw new ConfigException(key, name, "allowed: " + String.join(", ", cliNames()));
    }
}
