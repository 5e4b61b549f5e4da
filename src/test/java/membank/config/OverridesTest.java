package membank.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static membank.config.ConfigAssertions.assertConfigError;
import static membank.config.ConfigAssertions.json;
import static membank.config.ConfigAssertions.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --set KEY=VALUE edits the config tree before it is parsed. */
class OverridesTest {

    private static ObjectNode applied(ObjectNode root, String... assignments) {
        Overrides.apply(root, List.of(assignments));
        return root;
    }

    @Test
    void plainWordIsAString() {
        ObjectNode root = applied(tinyModel(), "membank.variant=B");
        assertEquals("B", root.get("membank").get("variant").textValue());
        assertTrue(ConfigJson.parseModel(root).membank().isVariantB());
    }

    @Test
    void numbersBooleansAndNull() {
        ObjectNode root = applied(tinyModel(), "training.lr=3e-4", "training.steps=20",
                "tie_word_embeddings=true", "training.bank_lr=null");
        assertEquals(3e-4, root.get("training").get("lr").doubleValue());
        assertTrue(root.get("training").get("steps").isInt());
        assertTrue(root.get("tie_word_embeddings").booleanValue());
        assertTrue(root.get("training").get("bank_lr").isNull());
        RunConfig run = RunConfig.parse(root);
        assertEquals(20, run.training().steps());
        assertEquals(3e-4, run.training().lr());
    }

    @Test
    void arraysAndObjects() {
        ObjectNode root = applied(tinyModel(), "membank.layers=[0,2]", "membank.chapters={\"count\":8,\"top_k\":2}");
        assertEquals(json("{\"a\": [0, 2]}").get("a"), root.get("membank").get("layers"));
        MemoryConfig memory = ConfigJson.parseModel(root).membank();
        assertEquals(List.of(0, 2), memory.layers());
        assertEquals(8, memory.chapters().count());
        applied(root, "membank.chapters.top_k=3");
        assertEquals(3, ConfigJson.parseModel(root).membank().chapters().topK());
    }

    @Test
    void trailingTextMakesAString() {
        ObjectNode root = applied(tinyModel(), "membank.layers=every_n:2", "training.data.path=/data/a b.jsonl");
        assertEquals("every_n:2", root.get("membank").get("layers").textValue());
        assertEquals("/data/a b.jsonl", root.get("training").get("data").get("path").textValue());
        assertEquals("0,2", applied(tinyModel(), "x=0,2").get("x").textValue());
    }

    @Test
    void createsMissingBlocks() {
        ObjectNode root = tinyModel();
        root.putNull("membank");
        applied(root, "membank.num_tokens=128", "training.data.entities=7");
        ModelConfig model = ConfigJson.parseModel(root);
        assertEquals(128, model.membank().numTokens());
        assertEquals(7, RunConfig.parse(root).training().data().entities());
    }

    @Test
    void nullRemovesMemory() {
        ObjectNode root = applied(tinyModel(), "membank=null");
        assertFalse(ConfigJson.parseModel(root).hasMemory());
    }

    @Test
    void malformedAssignments() {
        assertConfigError(() -> applied(tinyModel(), "membank.variant"), "'membank.variant' has no '='", "KEY=VALUE");
        assertConfigError(() -> applied(tinyModel(), "membank..variant=B"), "empty key part");
        assertConfigError(() -> applied(tinyModel(), "=3"), "empty key part");
        assertConfigError(() -> applied(tinyModel(), "hidden_size.x=3"), "'hidden_size' is 64, not a block");
    }

    @Test
    void emptyValueIsAnEmptyString() {
        assertEquals("", applied(tinyModel(), "torch_dtype=").get("torch_dtype").textValue());
    }
}
