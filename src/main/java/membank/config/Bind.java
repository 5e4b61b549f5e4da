package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Binds a config block to its builder with Jackson and turns Jackson's errors into
 * {@link ConfigException}s that name the dotted key, the value and what is allowed. A builder's
 * keys are its fields annotated {@link JsonProperty}, in the order they are declared; their
 * initial values are the defaults, which JSON null and absent keys leave in place.
 */
final class Bind {
    private Bind() {
    }

    /** {@code node} must be a JSON object; {@code path} is its dotted key ("" for the top level). */
    static <T> T read(JsonNode node, Class<T> builder, String path) {
        return read(node, builder, path, List.of());
    }

    /** As above; {@code alsoAllowed} are keys of the block that were taken out before binding. */
    static <T> T read(JsonNode node, Class<T> builder, String path, List<String> alsoAllowed) {
        JsonBlock.of(node, path);
        ObjectMapper mapper = Json.binder();
        try {
            return mapper.treeToValue(node, builder);
        } catch (JsonMappingException e) {
            throw translate(e, node, path, builder, alsoAllowed);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config key '" + path + "' cannot be read: " + e.getOriginalMessage());
        }
    }

    /** The JSON keys of a builder, in declaration order. */
    static List<String> keys(Class<?> builder) {
        List<String> keys = new ArrayList<>();
        for (Field field : builder.getDeclaredFields()) {
            JsonProperty property = field.getAnnotation(JsonProperty.class);
            if (property != null) {
                keys.add(property.value());
            }
        }
        return keys;
    }

    /** The JSON spellings of an enum's constants (their {@code toString}), for "allowed: ..." messages. */
    static String allowed(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
    }

    private static ConfigException translate(JsonMappingException e, JsonNode root, String path, Class<?> top,
                                             List<String> alsoAllowed) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
        }
        StringBuilder key = new StringBuilder(path);
        JsonNode value = root;
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                key.append(key.isEmpty() ? "" : ".").append(ref.getFieldName());
                value = value == null ? null : value.get(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
                value = value == null ? null : value.get(ref.getIndex());
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> allowed = new ArrayList<>(keys(unknown.getReferringClass()));
            if (unknown.getReferringClass() == top) {
                allowed.removeAll(alsoAllowed);
                allowed.addAll(alsoAllowed);
            }
            return new ConfigException("config key '" + key + "' is unknown; allowed keys: " + String.join(", ", allowed));
        }
        Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (type != null && !keys(type).isEmpty()) {
            return new ConfigException("config key '" + key + "' must be a JSON object, got " + value);
        }
        return new ConfigException(key.toString(), value, expected(type, value, e));
    }

    private static String expected(Class<?> type, JsonNode value, JsonMappingException e) {
        if (type == null) {
            return "cannot be read: " + e.getOriginalMessage();
        }
        if (type.isEnum()) {
            return value != null && value.isTextual() ? "allowed: " + allowed(type) : "must be a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "must be an integer";
        }
        if (type == double.class || type == Double.class) {
            return "must be a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        }
        if (type == String.class) {
            return "must be a string";
        }
        return "cannot be read: " + e.getOriginalMessage();
    }
}
