package membank.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/**
 * The CLI's {@code --set KEY=VALUE}: KEY is a dotted path into the config tree
 * ({@code membank.chapters.top_k}), VALUE is JSON when it parses as JSON ({@code 3e-4},
 * {@code true}, {@code null}, {@code [0,2]}, {@code {"count":8}}) and a plain string otherwise
 * ({@code membank.variant=B}). Missing or null intermediate blocks are created, so setting a
 * memory key on a plain model adds a membank block. Validation happens later, when the tree is parsed.
 */
public final class Overrides {
    private Overrides() {
    }

    public static void apply(ObjectNode root, List<String> assignments) {
        ObjectMapper mapper = Json.mapper();
        for (String assignment : assignments) {
            set(root, assignment, mapper);
        }
    }

    private static void set(ObjectNode root, String assignment, ObjectMapper mapper) {
        int equals = assignment.indexOf('=');
        if (equals < 0) {
            throw new ConfigException("--set '" + assignment + "' has no '=': write KEY=VALUE, "
                    + "e.g. --set membank.variant=B or --set training.lr=3e-4");
        }
        String[] path = keyPath(assignment, assignment.substring(0, equals).trim());
        ObjectNode parent = parentOf(root, path, assignment);
        parent.set(path[path.length - 1], value(assignment.substring(equals + 1), mapper));
    }

    private static String[] keyPath(String assignment, String key) {
        String[] path = key.split("\\.", -1);
        for (String part : path) {
            if (part.isEmpty()) {
                throw new ConfigException("--set '" + assignment + "' has an empty key part in '" + key
                        + "': write a dotted path such as membank.chapters.top_k");
            }
        }
        return path;
    }

    /** Walks to the object holding the last key, creating blocks that are absent or null. */
    private static ObjectNode parentOf(ObjectNode root, String[] path, String assignment) {
        ObjectNode node = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode next = node.get(path[i]);
            if (next == null || next.isNull()) {
                next = node.putObject(path[i]);
            }
            if (!next.isObject()) {
                throw new ConfigException("--set '" + assignment + "': '" + String.join(".", List.of(path).subList(0, i + 1))
                        + "' is " + next + ", not a block, so it has no key '" + path[i + 1] + "'");
            }
            node = (ObjectNode) next;
        }
        return node;
    }

    private static JsonNode value(String text, ObjectMapper mapper) {
        try {
            JsonNode parsed = mapper.readTree(text);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }
}
