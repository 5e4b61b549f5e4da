package membank.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a chat template comes from: a model folder's {@code tokenizer_config.json}
 * ({@code chat_template}, a string or a list of {@code {name, template}}), else the
 * {@code chat_template.jinja} file newer Hugging Face versions save beside it; or a
 * {@code .jinja} file given directly. {@code tokens} holds the special tokens templates may use
 * ({@code bos_token}, {@code eos_token}, ...), as text.
 */
record ChatTemplateFile(String template, Map<String, String> tokens, String origin) {

    static final String CONFIG = "tokenizer_config.json";
    static final String JINJA = "chat_template.jinja";
    private static final List<String> TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "pad_token");

    /**
     * @param path a model folder, its tokenizer_config.json, or a .jinja template file
     * @throws IllegalArgumentException when no template is found or the file is broken
     */
    static ChatTemplateFile read(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jinja")) {
            return new ChatTemplateFile(readString(path), Map.of(), path.toString());
        }
        Path config = Files.isDirectory(path) ? path.resolve(CONFIG) : path;
        Path jinja = config.resolveSibling(JINJA);
        if (!Files.isRegularFile(config)) {
            if (Files.isRegularFile(jinja)) {
                return new ChatTemplateFile(readString(jinja), Map.of(), jinja.toString());
            }
            throw new IllegalArgumentException(config + " not found: pass a Hugging Face model folder "
                    + "that has a " + CONFIG + " with a chat_template, or a .jinja template file");
        }
        JsonNode root = parse(config);
        Map<String, String> tokens = tokens(root);
        JsonNode node = root.get("chat_template");
        if (node != null && !node.isNull()) {
            return new ChatTemplateFile(pick(node, config), tokens, config.toString());
        }
        if (Files.isRegularFile(jinja)) {
            return new ChatTemplateFile(readString(jinja), tokens, jinja.toString());
        }
        throw new IllegalArgumentException(config + " has no \"chat_template\" (and there is no " + JINJA
                + " beside it): this looks like a base model's tokenizer, which defines no chat format. "
                + "Use the instruct model's tokenizer_config.json, or pass a .jinja template file");
    }

    /** A string, or a list of {name, template} objects of which "default" is the one meant for chat. */
    private static String pick(JsonNode node, Path config) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode entry : node) {
                String name = entry.path("name").asText(null);
                names.add(name);
                if ("default".equals(name) && entry.path("template").isTextual()) {
                    return entry.get("template").asText();
                }
            }
            throw new IllegalArgumentException(config + ": \"chat_template\" lists templates " + names
                    + " but none named \"default\"; pass the one you want as a .jinja file");
        }
        throw new IllegalArgumentException(config + ": \"chat_template\" must be a string or a list of "
                + "{\"name\", \"template\"} objects, got " + node.getNodeType());
    }

    /** Special tokens are strings or AddedToken objects {"content": ...}; null ones are left out, as HF does. */
    private static Map<String, String> tokens(JsonNode root) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : TOKEN_KEYS) {
            JsonNode node = root.get(key);
            if (node != null && node.isObject()) {
                node = node.get("content");
            }
            if (node != null && node.isTextual()) {
                out.put(key, node.asText());
            }
        }
        return out;
    }

    private static JsonNode parse(Path config) {
        try {
            JsonNode root = new ObjectMapper().readTree(config.toFile());
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(config + " is not a JSON object (re-download the file)");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(config + " is not valid JSON: " + e.getOriginalMessage()
                    + " (re-download the file)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
