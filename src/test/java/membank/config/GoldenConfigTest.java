package membank.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The golden checkpoints' config.json files (written by an independent implementation) parse. */
class GoldenConfigTest {
    private static final Path GOLDEN = goldenDir();

    /** The golden cases copied into the test resources, so the tests stand alone. */
    private static Path goldenDir() {
        try {
            return Path.of(GoldenConfigTest.class.getResource("/golden").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> configs() throws IOException {
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            return dirs.map(d -> d.resolve("config.json")).filter(Files::exists).sorted().toList();
        }
    }

    private static ModelConfig golden(String name) {
        Path file = GOLDEN.resolve(name).resolve("config.json");
        return ConfigJson.readModel(file);
    }

    @Test
    void everyGoldenConfigParsesAndRoundTrips() throws IOException {
        List<Path> files = configs();
        assertFalse(files.isEmpty());
        for (Path file : files) {
            ModelConfig model = ConfigJson.readModel(file);
            assertEquals(model, ConfigJson.parseModel(ConfigJson.toJson(model)), file.toString());
        }
    }

    @Test
    void qwen2HasBiasesAndTiedEmbeddings() {
        ModelConfig m = golden("qwen2-tiny");
        assertTrue(m.attentionBias());
        assertTrue(m.tieWordEmbeddings());
        assertEquals(16, m.headDim());
        assertFalse(m.hasMemory());
    }

    @Test
    void llamaKeepsExplicitHeadDim() {
        ModelConfig m = golden("llama-untied-headdim");
        assertEquals(32, m.headDim());
        assertEquals(1, m.numKeyValueHeads());
        assertFalse(m.attentionBias());
        assertFalse(m.tieWordEmbeddings());
    }

    @Test
    void chapterBlocksAreRead() {
        ChapterConfig c = golden("chapters-token-independent").membank().chapters();
        assertEquals(ChapterConfig.of(8, 3).with(b -> b.shared(1).routedScale(2.0).routing(RoutingMode.TOKEN)), c);
        MemoryConfig joint = golden("chapters-prefix-joint").membank();
        assertEquals(ChapterConfig.Mixing.JOINT, joint.chapters().mixing());
        assertEquals(new RouterLossConfig.Builder().loadBalance(0.01).z(0.001).build(), joint.routerLosses());
    }

    @Test
    void denseMemoryBlocksAreRead() {
        MemoryConfig b = golden("memory-B-per-layer").membank();
        assertTrue(b.isVariantB());
        assertEquals(List.of(0, 2), b.layers());
        assertEquals(2, b.numBanks());
        assertNull(b.chapters());
        assertNull(b.routerLosses());
    }
}
