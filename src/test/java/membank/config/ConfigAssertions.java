package membank.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the config tests: JSON literals and error-message checks. */
final class ConfigAssertions {
    private ConfigAssertions() {
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tiny valid Qwen2 model with memory on layer 1 of 4; tests edit it into invalid ones. */
    static ObjectNode tinyModel() {
        return json("""
                {"model_type": "qwen2", "vocab_size": 320, "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "membank": {"layers": [1], "num_tokens": 64}}""");
    }

    static ObjectNode membank(ObjectNode root) {
        return (ObjectNode) root.get("membank");
    }

    /** Asserts a ConfigException whose message contains every fragment. */
    static ConfigException assertConfigError(Executable action, String... fragments) {
        ConfigException e = assertThrows(ConfigException.class, action);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        return e;
    }
}
