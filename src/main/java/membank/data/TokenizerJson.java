package membank.data;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The frame of a Hugging Face tokenizer.json that membank's own tokenizers (byte, word) share. */
final class TokenizerJson {
    private TokenizerJson() {
    }

    /**
     * A tokenizer.json with {@code specials} (id to content, in the order given) as added tokens, no
     * normalizer and no post-processor.
     */
    static ObjectNode of(Map<Integer, String> specials, JsonNode preTokenizer, JsonNode decoder, JsonNode model) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        specials.forEach((id, content) -> addSpecial(added, id, content));
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer);
        root.putNull("post_processor");
        root.set("decoder", decoder);
        root.set("model", model);
        return root;
    }

    private static void addSpecial(ArrayNode added, int id, String content) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }
}
