package membank.experiment;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One JSON object of an experiment file being read; every error names the dotted key (with
 * array indices, e.g. {@code arms[2].kind}), the value and what is allowed.
 */
final class FileKeys {
    private final JsonNode node;
    private final String path;
    private final String source;

    private FileKeys(JsonNode node, String path, String source) {
        this.node = node;
        this.path = path;
        this.source = source;
    }

    /** The top level of the file named {@code source} in messages. */
    static FileKeys root(JsonNode node, String source) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("experiment file " + source + " must hold a JSON object, got " + node);
        }
        return new FileKeys(node, "", source);
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    IllegalArgumentException error(String key, JsonNode value, String allowed) {
        return new IllegalArgumentException("experiment file " + source + ": key '" + key + "' has value " + value + ": " + allowed);
    }

    IllegalArgumentException missing(String key, String what) {
        return new IllegalArgumentException("experiment file " + source + ": key '" + key + "' is missing: it is required (" + what + ")");
    }

    /** Where this object is in the file, e.g. "phases.pretrain". */
    String path() {
        return path;
    }

    /** A problem that no single value shows, e.g. two keys that exclude each other. */
    IllegalArgumentException problem(String what) {
        return new IllegalArgumentException("experiment file " + source + ": " + what);
    }

    /** A non-empty array of strings or numbers, as text (sweep values). */
    List<String> scalars(String name) {
        JsonNode value = required(name, "a non-empty array of numbers or strings");
        if (!value.isArray() || value.isEmpty()) {
            throw error(key(name), value, "must be a non-empty array of numbers or strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode v = value.get(i);
            if (!v.isNumber() && !v.isTextual()) {
                throw error(key(name) + "[" + i + "]", v, "must be a number or a string");
            }
            out.add(v.asText());
        }
        return out;
    }

    boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    void rejectUnknown(List<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("experiment file " + source + ": key '" + key(name)
                        + "' is unknown; allowed keys here: " + String.join(", ", allowed));
            }
        }
    }

    FileKeys child(String name) {
        JsonNode value = required(name, "a JSON object");
        if (!value.isObject()) {
            throw error(key(name), value, "must be a JSON object");
        }
        return new FileKeys(value, key(name), source);
    }

    /** The objects of the array {@code name}, each keyed {@code name[i]}; at least one. */
    List<FileKeys> objects(String name) {
        JsonNode value = required(name, "a non-empty array of objects");
        if (!value.isArray() || value.isEmpty()) {
            throw error(key(name), value, "must be a non-empty array of objects");
        }
        List<FileKeys> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String k = key(name) + "[" + i + "]";
            if (!value.get(i).isObject()) {
                throw error(k, value.get(i), "must be a JSON object");
            }
            out.add(new FileKeys(value.get(i), k, source));
        }
        return out;
    }

    String string(String name, String fallback) {
        if (!has(name)) {
            if (fallback == null) {
                throw missing(key(name), "a string");
            }
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw error(key(name), value, "must be a non-empty string");
        }
        return value.textValue();
    }

    List<String> strings(String name) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode value = node.get(name);
        if (!value.isArray()) {
            throw error(key(name), value, "must be an array of \"KEY=VALUE\" strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual() || !value.get(i).textValue().contains("=")) {
                throw error(key(name) + "[" + i + "]", value.get(i), "must be a \"KEY=VALUE\" string, e.g. \"training.batch_size=8\"");
            }
            out.add(value.get(i).textValue());
        }
        return out;
    }

    List<Long> longs(String name) {
        JsonNode value = required(name, "a non-empty array of integers");
        if (!value.isArray() || value.isEmpty()) {
            throw error(key(name), value, "must be a non-empty array of integers");
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode v = value.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw error(key(name) + "[" + i + "]", v, "must be an integer");
            }
            if (out.contains(v.asLong())) {
                throw error(key(name) + "[" + i + "]", v, "appears twice; each seed once");
            }
            out.add(v.asLong());
        }
        return out;
    }

    int positiveInt(String name, Integer fallback) {
        if (!has(name)) {
            if (fallback == null) {
                throw missing(key(name), "a positive integer");
            }
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() <= 0) {
            throw error(key(name), value, "must be a positive integer");
        }
        return value.asInt();
    }

    /** A positive finite number; null when absent or null and {@code required} is false. */
    Double positiveNumber(String name, boolean required) {
        if (!has(name)) {
            if (required) {
                throw missing(key(name), "a number > 0");
            }
            return null;
        }
        JsonNode value = node.get(name);
        if (!value.isNumber() || !(value.asDouble() > 0) || Double.isInfinite(value.asDouble())) {
            throw error(key(name), value, "must be a finite number > 0");
        }
        return value.asDouble();
    }

    boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isBoolean()) {
            throw error(key(name), value, "must be true or false");
        }
        return value.booleanValue();
    }

    private JsonNode required(String name, String what) {
        if (!has(name)) {
            throw missing(key(name), what);
        }
        return node.get(name);
    }
}
