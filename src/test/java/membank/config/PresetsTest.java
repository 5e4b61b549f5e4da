package membank.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static membank.config.ConfigAssertions.assertConfigError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every preset parses, validates and has the shape docs/config.md promises. */
class PresetsTest {

    private static RunConfig preset(String name) {
        return RunConfig.parse(Presets.load(name));
    }

    @Test
    void everyPresetParsesAndRoundTrips() {
        assertEquals(List.of("tiny", "small", "small-nomem", "base25m", "base-memory", "base-nomem"), Presets.names());
        for (String name : Presets.names()) {
            RunConfig run = preset(name);
            ModelConfig m = run.model();
            assertEquals(ModelConfig.ModelType.QWEN2, m.modelType(), name);
            assertTrue(m.tieWordEmbeddings(), name);
            boolean recipe = name.startsWith("base-");
            assertEquals(recipe ? 1024 : 320, m.vocabSize(), name);
            assertEquals(recipe ? "word" : "byte", run.training().data().tokenizer(), name);
            assertTrue(run.training().seqLen() <= m.maxPositionEmbeddings(), name);
            assertEquals(run, RunConfig.parse(run.toJson()), name);
            if (m.hasMemory()) {
                assertEquals(BankConfig.dense(), m.membank().bank(), name);
            }
        }
    }

    @Test
    void theRecipeBasesAreTinyWithAndWithoutARoutedBankOnTheSamePeople() {
        RunConfig memory = preset("base-memory");
        RunConfig plain = preset("base-nomem");
        assertEquals(preset("tiny").model().withMembank(null).withTokenizer(1024, 2, 3), plain.model());
        assertEquals(4096, memory.model().membank().numTokens());
        assertEquals(16, memory.model().membank().chapters().count());
        assertEquals(2, memory.model().membank().chapters().topK());
        assertEquals(memory.model().withMembank(null), plain.model());
        assertEquals(memory.training(), plain.training());
        // 150 exposures of 300 people at 16 x 128 tokens a step (docs/adapters.md, the recipe)
        assertEquals(1173, memory.training().steps());
        assertEquals(300, memory.training().data().entities());
    }

    @Test
    void tinyHasMemoryOnLayerOne() {
        ModelConfig tiny = ConfigJson.parseModel(Presets.load("tiny"));
        assertEquals(List.of(1), tiny.membank().layers());
        assertEquals(256, tiny.membank().numTokens());
        assertEquals(60, preset("tiny").training().steps());
    }

    @Test
    void smallAndItsBaselineDifferOnlyInMemory() {
        RunConfig small = preset("small");
        RunConfig baseline = preset("small-nomem");
        assertEquals(List.of(1, 3), small.model().membank().layers());
        assertFalse(baseline.model().hasMemory());
        assertEquals(small.model().withMembank(null), baseline.model());
        assertEquals(small.training(), baseline.training());
    }

    @Test
    void parameterCountsMatchTheDocsTable() {
        assertEquals(94_784, ParameterCount.backbone(preset("tiny").model()));
        assertEquals(28_736, ParameterCount.memory(preset("tiny").model()));
        assertEquals(3_035_392, ParameterCount.backbone(preset("small").model()));
        assertEquals(1_442_304, ParameterCount.memory(preset("small").model()));
        assertEquals(3_035_392, ParameterCount.backbone(preset("small-nomem").model()));
        assertEquals(25_346_560, ParameterCount.backbone(preset("base25m").model()));
        assertEquals(12_584_960, ParameterCount.memory(preset("base25m").model()));
    }

    @Test
    void loadGivesAFreshTree() {
        ObjectNode first = Presets.load("tiny");
        first.put("hidden_size", 1);
        assertNotSame(first, Presets.load("tiny"));
        assertEquals(64, Presets.load("tiny").get("hidden_size").intValue());
    }

    @Test
    void unknownPresetListsTheNames() {
        assertConfigError(() -> Presets.load("huge"), "preset 'huge' is unknown", "tiny, small, small-nomem, base25m, base-memory, base-nomem");
    }
}
