package membank.config;

/**
 * What {@code adapter_config.json} says: the method, the base it was trained on, the LoRA settings
 * (null without LoRA) and the memory block (null without memory; same schema as in config.json).
 */
public record AdapterConfig(AdapterMethod method, String baseModel, LoraConfig lora, MemoryConfig membank) {
    public AdapterConfig {
        if (method == AdapterMethod.FULL) {
            throw new IllegalArgumentException("full fine-tuning writes a whole model, not an adapter");
        }
        if (method.usesLora() != (lora != null) || method.usesMemory() != (membank != null)) {
            throw new IllegalArgumentException("adapter method " + method.cliName()
                    + " needs exactly its own blocks (lora: " + (lora != null) + ", membank: " + (membank != null) + ")");
        }
    }
}
