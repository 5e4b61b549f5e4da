package membank.model;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.config.ConfigException;

class CheckpointTest {

    private static MemoryLM saved(Path dir) {
        manual_seed(21);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("B", List.of(0, 1), "per_layer", 2));
        MemoryLMTest.randomiseOutputProjections(model);
        Checkpoint.save(model, dir);
        return model;
    }

    @Test
    void saveThenLoadIsBitExact(@TempDir Path dir) {
        MemoryLM model = saved(dir);
        MemoryLM loaded = Checkpoint.load(dir);
        Map<String, Tensor> reloaded = loaded.namedParameters();
        model.namedParameters().forEach((name, t) -> assertTrue(equal(t, reloaded.get(name)), name));
        assertTrue(model.config().equals(loaded.config()));
    }

    @Test
    void configThatDisagreesWithTheTensorsIsRefused(@TempDir Path dir) throws Exception {
        saved(dir);
        Path config = dir.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"num_tokens\" : 24", "\"num_tokens\" : 32"));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(e, "model.safetensors", "model.memory.banks.0.weight", "[32, 32]");
    }

    @Test
    void missingTensorIsNamed(@TempDir Path dir) {
        MemoryLM model = saved(dir);
        Map<String, Tensor> fewer = new LinkedHashMap<>(model.namedParameters());
        fewer.remove("model.layers.1.memory_attn.v_proj.weight");
        SafeTensors.write(dir.resolve(Checkpoint.WEIGHTS), fewer, Map.of("format", "pt"));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(e, "model.safetensors", "model.layers.1.memory_attn.v_proj.weight", "missing");
    }

    @Test
    void extraTensorIsNamed(@TempDir Path dir) {
        MemoryLM model = saved(dir);
        Map<String, Tensor> more = new LinkedHashMap<>(model.namedParameters());
        more.put("model.layers.7.mlp.up_proj.weight", model.namedParameters().get("model.norm.weight"));
        SafeTensors.write(dir.resolve(Checkpoint.WEIGHTS), more, Map.of("format", "pt"));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(e, "model.layers.7.mlp.up_proj.weight", "not part of the model");
    }

    @Test
    void truncatedWeightsAreRefused(@TempDir Path dir) throws Exception {
        saved(dir);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(e, "model.safetensors", "truncated");
    }

    @Test
    void corruptHeaderIsRefused(@TempDir Path dir) throws Exception {
        saved(dir);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        bytes[9] = '#';
        bytes[10] = '!';
        Files.write(weights, bytes);
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(e, "model.safetensors");
    }

    @Test
    void missingConfigAndBadConfigKeysAreNamed(@TempDir Path dir) throws Exception {
        var missing = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertMentions(missing, "config.json", "not found");
        saved(dir);
        Path config = dir.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"variant\" : \"B\"", "\"variant\" : \"C\""));
        var bad = assertThrows(ConfigException.class, () -> Checkpoint.load(dir));
        assertMentions(bad, "membank.variant", "\"C\"");
    }

    static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
        }
    }
}
