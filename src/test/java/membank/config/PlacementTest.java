package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static membank.config.ConfigAssertions.assertConfigError;
import static membank.config.ConfigAssertions.json;
import static membank.config.ConfigAssertions.membank;
import static membank.config.ConfigAssertions.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** membank.layers rules resolve to the spec's layer lists (memory-math.md section 4). */
class PlacementTest {

    private static List<Integer> resolve(String rule, int layers) {
        return Placement.resolve(TextNode.valueOf(rule), layers, "membank.layers");
    }

    private static List<Integer> resolve(JsonNode spec, int layers) {
        return Placement.resolve(spec, layers, "membank.layers");
    }

    @Test
    void all() {
        assertEquals(List.of(0, 1, 2, 3), resolve("all", 4));
    }

    @Test
    void firstAndLastK() {
        assertEquals(List.of(0, 1), resolve("first_k:2", 4));
        assertEquals(List.of(0, 1, 2), resolve("first_k:3", 6));
        assertEquals(List.of(2, 3), resolve("last_k:2", 4));
        assertEquals(List.of(3, 4, 5), resolve("last_k:3", 6));
    }

    @Test
    void everyN() {
        assertEquals(List.of(1, 3), resolve("every_n:2", 4));
        assertEquals(List.of(1, 3, 5), resolve("every_n:2", 6));
        assertEquals(List.of(2, 5), resolve("every_n:3", 6));
        assertEquals(List.of(3), resolve("every_n:4", 6));
        assertEquals(List.of(0, 1, 2, 3), resolve("every_n:1", 4));
    }

    @Test
    void objectForm() {
        assertEquals(List.of(1, 3, 5), resolve(json("{\"placement\": \"every_n\", \"n\": 2}"), 6));
        assertEquals(List.of(4, 5), resolve(json("{\"placement\": \"last_k\", \"k\": 2}"), 6));
        assertEquals(List.of(0, 1, 2), resolve(json("{\"placement\": \"all\"}"), 3));
        assertConfigError(() -> resolve(json("{\"placement\": \"every_n\", \"k\": 2}"), 6),
                "'membank.layers.k' is unknown");
    }

    @Test
    void explicitListIsSortedAndDeduplicated() {
        assertEquals(List.of(0, 2, 3), resolve(json("{\"a\": [3, 0, 2, 3]}").get("a"), 4));
    }

    @Test
    void explicitListOutOfRange() {
        assertConfigError(() -> resolve(json("{\"a\": [0, 4]}").get("a"), 4),
                "'membank.layers[1]' has value 4: a layer index must be in [0, 3] (num_hidden_layers is 4)");
        assertConfigError(() -> resolve(json("{\"a\": [-1]}").get("a"), 4), "'membank.layers[0]' has value -1");
        assertConfigError(() -> resolve(json("{\"a\": [\"1\"]}").get("a"), 4), "'membank.layers[0]' has value \"1\"");
        assertConfigError(() -> resolve(json("{\"a\": []}").get("a"), 4), "at least one layer");
    }

    @Test
    void badRules() {
        assertConfigError(() -> resolve("every_n:0", 4), "'membank.layers' has value \"every_n:0\"", "[1, 4]");
        assertConfigError(() -> resolve("first_k:5", 4), "'membank.layers' has value \"first_k:5\"");
        assertConfigError(() -> resolve("every_n:x", 4), "has value \"every_n:x\"", "allowed:");
        assertConfigError(() -> resolve("middle", 4), "has value \"middle\"", "\"all\"");
        assertConfigError(() -> resolve("random:2", 4), "has value \"random:2\"");
    }

    @Test
    void rulesAreResolvedAtParseTimeAndWrittenAsLists() {
        ObjectNode root = tinyModel();
        root.put("num_hidden_layers", 6);
        membank(root).put("layers", "every_n:2");
        ModelConfig model = ConfigJson.parseModel(root);
        assertEquals(List.of(1, 3, 5), model.membank().layers());
        assertEquals(json("{\"a\": [1, 3, 5]}").get("a"), ConfigJson.toJson(model).get("membank").get("layers"));
    }
}
