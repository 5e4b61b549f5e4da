package membank.config;

import static membank.config.ConfigAssertions.assertConfigError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Configs changed by name in code: with-methods keep every other key, and a record built in code is
 * held to the same rules and messages as one read from a file.
 */
class BuildersTest {

    @Test
    void withChangesOnlyWhatItNames() {
        RunConfig tiny = Presets.run("tiny");
        ModelConfig plain = tiny.model().withMembank(null);
        assertNull(plain.membank());
        assertEquals(tiny.model(), plain.withMembank(tiny.model().membank()));
        assertEquals(Presets.model("tiny", "membank=null"), plain);

        TrainConfig shorter = tiny.training().with(b -> b.steps(5).lr(3e-3));
        assertEquals(Presets.run("tiny", "training.steps=5", "training.lr=3e-3").training(), shorter);

        MemoryConfig wider = tiny.model().membank().with(b -> b.numTokens(512));
        assertEquals(Presets.model("tiny", "membank.num_tokens=512").membank(), wider);
    }

    @Test
    void defaultsLiveInTheBuilders() {
        assertEquals(ConfigJson.parseTraining(null), new TrainConfig.Builder().build());
        assertEquals(TrainConfig.Schedule.COSINE, TrainConfig.defaults().schedule());
        assertEquals(TrainConfig.BankUpdate.DENSE, TrainConfig.defaults().bankUpdate());
        assertEquals(DataConfig.Utf8Errors.FAIL, DataConfig.defaults().utf8Errors());
        assertEquals(List.of(0.01, 0.001), List.of(RouterLossConfig.defaults().loadBalance(), RouterLossConfig.defaults().z()));
        ChapterConfig chapters = ChapterConfig.of(4, 1);
        assertEquals(RoutingMode.SEQUENCE, chapters.routing());
        assertEquals(ChapterConfig.Mixing.INDEPENDENT, chapters.mixing());
        assertEquals(Presets.model("tiny", "membank.chapters={\"count\": 4, \"top_k\": 1}").membank().chapters(), chapters);
    }

    @Test
    void recordsBuiltInCodeAreValidatedWithTheFileMessages() {
        assertConfigError(() -> TrainConfig.defaults().with(b -> b.steps(0)),
                "config key 'training.steps' has value 0: must be a positive integer");
        assertConfigError(() -> TrainConfig.defaults().with(b -> b.beta2(1.0)), "'training.beta2' has value 1.0");
        assertConfigError(() -> ChapterConfig.of(4, 1).with(b -> b.shared(4)), "'membank.chapters.shared' has value 4", "[0, 3]");
        assertConfigError(() -> Presets.model("tiny").membank().with(b -> b.numTokens(30)
                .chapters(ChapterConfig.of(4, 1))), "'membank.chapters.count' has value 4", "must divide membank.num_tokens 30");
        assertConfigError(() -> DataConfig.defaults().with(b -> b.kind(DataConfig.Kind.TEXT)), "'training.data.path' is missing");
        assertConfigError(() -> Presets.model("tiny").with(b -> b.numKeyValueHeads(3)),
                "'num_key_value_heads' has value 3", "must divide num_attention_heads 4");
    }
}
