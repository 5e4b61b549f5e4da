package membank.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What membank needs to know about a tokenizer.json that the DJL binding does not expose: the
 * number of ids and which strings are (special) tokens.
 */
final class Vocabulary {

    private final Map<String, Integer> modelTokens = new HashMap<>();
    private final Map<String, Integer> addedTokens = new HashMap<>();
    private int size;

    Vocabulary(JsonNode tokenizerJson) {
        readModel(tokenizerJson.path("model").path("vocab"));
        for (JsonNode t : tokenizerJson.path("added_tokens")) {
            if (t.path("id").isIntegralNumber() && t.path("content").isTextual()) {
                add(addedTokens, t.get("content").asText(), t.get("id").asInt());
            }
        }
    }

    /** BPE and WordPiece store {token: id}; Unigram stores [[piece, score], ...] where id = index. */
    private void readModel(JsonNode vocab) {
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                add(modelTokens, e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                add(modelTokens, vocab.get(i).path(0).asText(), i);
            }
        }
    }

    private void add(Map<String, Integer> map, String token, int id) {
        map.put(token, id);
        size = Math.max(size, id + 1);
    }

    /** One more than the largest id; gaps (unused ids) are counted, as models size embeddings so. */
    int size() {
        return size;
    }

    boolean contains(int id) {
        return id >= 0 && id < size;
    }

    OptionalInt idOf(String token) {
        if (token == null) {
            return OptionalInt.empty();
        }
        OptionalInt special = specialIdOf(token);
        if (special.isPresent()) {
            return special;
        }
        Integer id = modelTokens.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    OptionalInt specialIdOf(String token) {
        Integer id = addedTokens.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
