package membank.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Resolves {@code membank.layers} to the sorted list of memory layer indices (spec section 4). The
 * input is an explicit list, a rule string ({@code "all"}, {@code "first_k:K"}, {@code "last_k:K"},
 * {@code "every_n:N"}) or the same rule as an object ({@code {"placement": "every_n", "n": 2}}).
 * Resolution happens once at parse time so that config.json always holds the list itself.
 */
final class Placement {
    static final String ALL = "all";
    static final String FIRST_K = "first_k";
    static final String LAST_K = "last_k";
    static final String EVERY_N = "every_n";
    private static final String FORMS = "allowed: a list of layer indices, \"all\", \"first_k:K\", "
            + "\"last_k:K\", \"every_n:N\" or {\"placement\": \"every_n\", \"n\": N}";

    private Placement() {
    }

    static List<Integer> resolve(JsonNode spec, int numLayers, String key) {
        if (spec.isArray()) {
            return explicit(spec, numLayers, key);
        }
        if (spec.isTextual()) {
            return fromString(spec.textValue(), numLayers, key);
        }
        if (spec.isObject()) {
            return fromObject(JsonBlock.of(spec, key), numLayers);
        }
        throw new ConfigException(key, spec, FORMS);
    }

    static List<Integer> all(int numLayers) {
        return IntStream.range(0, numLayers).boxed().toList();
    }

    static List<Integer> firstK(int k) {
        return IntStream.range(0, k).boxed().toList();
    }

    static List<Integer> lastK(int k, int numLayers) {
        return IntStream.range(numLayers - k, numLayers).boxed().toList();
    }

    /** Layers n-1, 2n-1, ...: the last layer of every group of n. */
    static List<Integer> everyN(int n, int numLayers) {
        return IntStream.iterate(n - 1, i -> i < numLayers, i -> i + n).boxed().toList();
    }

    private static List<Integer> explicit(JsonNode list, int numLayers, String key) {
        if (list.isEmpty()) {
            throw new ConfigException(key, list, "must name at least one layer (set membank to null for no memory)");
        }
        TreeSet<Integer> layers = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            layers.add(layerIndex(list.get(i), numLayers, key + "[" + i + "]"));
        }
        return new ArrayList<>(layers);
    }

    private static int layerIndex(JsonNode item, int numLayers, String key) {
        if (!item.isNumber() || !item.canConvertToExactIntegral() || !item.canConvertToInt()) {
            throw new ConfigException(key, item, "a layer index must be an integer");
        }
        int layer = item.asInt();
        if (layer < 0 || layer >= numLayers) {
            throw new ConfigException(key, layer, "a layer index must be in [0, " + (numLayers - 1)
                    + "] (num_hidden_layers is " + numLayers + ")");
        }
        return layer;
    }

    private static List<Integer> fromString(String rule, int numLayers, String key) {
        if (rule.equals(ALL)) {
            return all(numLayers);
        }
        int colon = rule.indexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, rule, FORMS);
        }
        String name = rule.substring(0, colon);
        int count = parseCount(rule, rule.substring(colon + 1), key);
        if (!List.of(FIRST_K, LAST_K, EVERY_N).contains(name)) {
            throw new ConfigException(key, rule, FORMS);
        }
        return apply(name, checkCount(key, rule, count, numLayers), numLayers);
    }

    private static int parseCount(String rule, String digits, String key) {
        try {
            return Integer.parseInt(digits.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, rule, FORMS);
        }
    }

    private static List<Integer> fromObject(JsonBlock block, int numLayers) {
        String name = block.choice("placement", null, List.of(ALL, FIRST_K, LAST_K, EVERY_N));
        String countKey = name.equals(EVERY_N) ? "n" : "k";
        block.rejectUnknown(name.equals(ALL) ? List.of("placement") : List.of("placement", countKey));
        if (name.equals(ALL)) {
            return all(numLayers);
        }
        int count = block.requiredInt(countKey);
        return apply(name, checkCount(block.key(countKey), count, count, numLayers), numLayers);
    }

    private static int checkCount(String key, Object shown, int count, int numLayers) {
        if (count < 1 || count > numLayers) {
            throw new ConfigException(key, shown, "the count must be in [1, " + numLayers
                    + "] (num_hidden_layers is " + numLayers + ")");
        }
        return count;
    }

    private static List<Integer> apply(String name, int count, int numLayers) {
        return switch (name) {
            case FIRST_K -> firstK(count);
            case LAST_K -> lastK(count, numLayers);
            case EVERY_N -> everyN(count, numLayers);
            default -> throw new IllegalStateException(name);
        };
    }
}
