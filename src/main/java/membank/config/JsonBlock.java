package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * One JSON object of a config file read key by key: what is not bound to a builder by {@link Bind}
 * (placement rule objects, the Hugging Face keys membank checks, adapter_config.json). Every getter
 * names the dotted key path in its error, so a user can find the bad value; an explicit JSON null
 * counts as absent, because Hugging Face configs write null for "not set".
 */
final class JsonBlock {
    private final ObjectNode node;
    private final String path;

    private JsonBlock(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The block at {@code path}; {@code path} is "" for the top level of config.json. */
    static JsonBlock of(JsonNode node, String path) {
        if (!(node instanceof ObjectNode object)) {
            String where = path.isEmpty() ? "the top level of the config" : "config key '" + path + "'";
            throw new ConfigException(where + " must be a JSON object, got " + node);
        }
        return new JsonBlock(object, path);
    }

    /** The dotted path of {@code name} inside this block, as error messages show it. */
    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    /** The value, or null when absent or JSON null. */
    JsonNode raw(String name) {
        return has(name) ? node.get(name) : null;
    }

    int requiredInt(String name) {
        return toInt(name, required(name, "an integer"));
    }

    double doubleValue(String name, double fallback) {
        return has(name) ? toDouble(name, node.get(name)) : fallback;
    }

    boolean boolValue(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isBoolean()) {
            throw new ConfigException(key(name), value, "must be true or false");
        }
        return value.booleanValue();
    }

    String string(String name, String fallback) {
        return has(name) ? toText(name, node.get(name)) : fallback;
    }

    /** A string from a closed set; {@code fallback} null makes the key required. */
    String choice(String name, String fallback, List<String> allowed) {
        String value = fallback == null ? toText(name, required(name, "one of " + String.join(", ", allowed)))
                : string(name, fallback);
        if (!allowed.contains(value)) {
            throw new ConfigException(key(name), value, "allowed: " + String.join(", ", allowed));
        }
        return value;
    }

    /** Fails on the first key not in {@code allowed}: a misspelt key must not silently do nothing. */
    void rejectUnknown(Collection<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ConfigException("config key '" + key(name) + "' is unknown; allowed keys: "
                        + String.join(", ", allowed));
            }
        }
    }

    private JsonNode required(String name, String what) {
        return Require.present(key(name), raw(name), what);
    }

    private int toInt(String name, JsonNode value) {
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToInt()) {
            throw new ConfigException(key(name), value, "must be an integer");
        }
        return value.asInt();
    }

    private double toDouble(String name, JsonNode value) {
        if (!value.isNumber()) {
            throw new ConfigException(key(name), value, "must be a number");
        }
        return value.asDouble();
    }

    private String toText(String name, JsonNode value) {
        if (!value.isTextual()) {
            throw new ConfigException(key(name), value, "must be a string");
        }
        return value.textValue();
    }
}
