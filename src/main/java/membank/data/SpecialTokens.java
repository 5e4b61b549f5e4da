package membank.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Finds the BOS and EOS ids of a tokenizer, best effort. The most explicit source wins:
 * {@code config.json} ({@code eos_token_id}), then {@code tokenizer_config.json} ({@code eos_token}),
 * then well-known special-token names in {@code tokenizer.json} itself.
 */
final class SpecialTokens {

    private static final List<String> EOS_NAMES =
            List.of("<|eos|>", "<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|end|>");
    private static final List<String> BOS_NAMES =
            List.of("<|bos|>", "<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>");

    private final Vocabulary vocab;
    private final JsonNode config;
    private final JsonNode tokenizerConfig;

    SpecialTokens(Vocabulary vocab, Path dir, ObjectMapper mapper) {
        this.vocab = vocab;
        this.config = readOptional(dir.resolve("config.json"), mapper);
        this.tokenizerConfig = readOptional(dir.resolve("tokenizer_config.json"), mapper);
    }

    OptionalInt eos() {
        return find("eos_token_id", "eos_token", EOS_NAMES);
    }

    OptionalInt bos() {
        return find("bos_token_id", "bos_token", BOS_NAMES);
    }

    private OptionalInt find(String idKey, String tokenKey, List<String> names) {
        OptionalInt fromConfig = idFrom(config.get(idKey));
        if (fromConfig.isPresent()) {
            return fromConfig;
        }
        OptionalInt fromTokenizerConfig = vocab.idOf(tokenText(tokenizerConfig.get(tokenKey)));
        if (fromTokenizerConfig.isPresent()) {
            return fromTokenizerConfig;
        }
        for (String name : names) {
            OptionalInt id = vocab.specialIdOf(name);
            if (id.isPresent()) {
                return id;
            }
        }
        return OptionalInt.empty();
    }

    /** config.json holds an int, or a list of ints when a model stops on several tokens. */
    private OptionalInt idFrom(JsonNode node) {
        if (node != null && node.isArray() && node.size() > 0) {
            node = node.get(0);
        }
        if (node != null && node.canConvertToInt() && node.isIntegralNumber()
                && vocab.contains(node.asInt())) {
            return OptionalInt.of(node.asInt());
        }
        return OptionalInt.empty();
    }

    /** tokenizer_config.json holds the token as a string or as an AddedToken object. */
    private static String tokenText(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    /** Side files are optional and only hints: a broken one is ignored, not fatal. */
    private static JsonNode readOptional(Path file, ObjectMapper mapper) {
        if (!Files.isRegularFile(file)) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode node = mapper.readTree(file.toFile());
            return node != null && node.isObject() ? node : mapper.createObjectNode();
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }
}
