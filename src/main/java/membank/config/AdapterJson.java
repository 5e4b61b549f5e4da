package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code adapter_config.json} as PEFT writes it (spec/checkpoint-format.md): PEFT's keys for LoRA,
 * so PEFT loads our LoRA adapters, and a {@code membank} block for memory. PEFT adds keys over
 * time; those membank does not use are ignored, but those that would change the math (DoRA,
 * rsLoRA, trained biases, ...) must have their neutral value.
 */
public final class AdapterJson {
    static final String LORA_TASK = "CAUSAL_LM";
    /** Keys PEFT may write whose value membank cannot honour unless it is the neutral one. */
    private static final Map<String, String> NEUTRAL = Map.of(
            "use_dora", "false", "use_rslora", "false", "fan_in_fan_out", "false", "bias", "\"none\"",
            "modules_to_save", "null", "layers_to_transform", "null", "rank_pattern", "{}",
            "alpha_pattern", "{}");

    private AdapterJson() {
    }

    public static ObjectNode write(AdapterConfig adapter) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("base_model_name_or_path", adapter.baseModel());
        node.put("peft_type", adapter.method().peftType());
        node.put("task_type", LORA_TASK);
        node.put("inference_mode", true);
        LoraConfig lora = adapter.lora();
        if (lora != null) {
            node.put("r", lora.r());
            node.put("lora_alpha", lora.alpha());
            node.put("lora_dropout", lora.dropout());
            lora.targetModules().forEach(node.putArray("target_modules")::add);
            node.put("bias", "none");
            node.put("fan_in_fan_out", false);
            node.put("use_rslora", false);
            node.put("use_dora", false);
            node.putNull("modules_to_save");
            node.put("init_lora_weights", true);
        }
        if (adapter.membank() != null) {
            node.set("membank", MemoryJson.write(adapter.membank()));
        }
        return node;
    }

    /** Parses an adapter config for the base model {@code base} (the memory block needs its sizes). */
    public static AdapterConfig parse(JsonNode root, ModelConfig base) {
        JsonBlock top = JsonBlock.of(root, "");
        String type = top.string("peft_type", null);
        if (type == null) {
            throw new ConfigException("adapter_config.json has no peft_type (expected "
                    + "\"LORA\", \"MEMORY\" or \"MEMORY+LORA\")");
        }
        AdapterMethod method = AdapterMethod.of("peft_type", type);
        if (method == AdapterMethod.FULL) {
            throw new ConfigException("peft_type", type, "allowed: LORA, MEMORY, MEMORY+LORA");
        }
        checkNeutral(root);
        LoraConfig lora = method.usesLora() ? lora(top) : null;
        MemoryConfig memory = null;
        if (method.usesMemory()) {
            if (!top.has("membank")) {
                throw new ConfigException("adapter_config.json has peft_type " + type + " but no \"membank\" block");
            }
            memory = MemoryJson.parse(root.get("membank"), base);
        }
        return new AdapterConfig(method, top.string("base_model_name_or_path", ""), lora, memory);
    }

    public static LoraConfig lora(int r, double alpha, double dropout, List<String> targets) {
        Require.positive("r", r);
        Require.positive("lora_alpha", alpha);
        Require.inRange("lora_dropout", dropout, 0, 1, true);
        if (targets.isEmpty()) {
            throw new ConfigException("target_modules", targets, "must name at least one module; allowed: " + LoraConfig.TARGETS);
        }
        for (String t : targets) {
            if (!LoraConfig.TARGETS.contains(t)) {
                throw new ConfigException("target_modules", t, "allowed: " + String.join(", ", LoraConfig.TARGETS));
            }
        }
        return new LoraConfig(r, alpha, dropout, targets);
    }

    private static LoraConfig lora(JsonBlock top) {
        JsonNode targets = top.raw("target_modules");
        if (targets == null || !targets.isArray()) {
            throw new ConfigException("target_modules", targets,
                    "must be a list of module names (a regular expression is not supported); allowed: " + LoraConfig.TARGETS);
        }
        List<String> names = new ArrayList<>();
        targets.forEach(t -> names.add(t.asText()));
        return lora(top.requiredInt("r"), top.doubleValue("lora_alpha", 8), top.doubleValue("lora_dropout", 0), names);
    }

    private static void checkNeutral(JsonNode root) {
        NEUTRAL.forEach((key, neutral) -> {
            JsonNode value = root.get(key);
            if (value == null || value.toString().equals(neutral) || (value.isNull() && neutral.equals("null"))
                    || (value.isObject() && value.isEmpty() && neutral.equals("{}"))) {
                return;
            }
            throw new ConfigException(key, value, "must be " + neutral + " (membank does not implement it)");
        });
    }
}
