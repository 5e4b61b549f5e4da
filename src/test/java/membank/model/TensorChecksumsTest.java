package membank.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.testing.FileDamage;

/** Every tensor membank writes carries a CRC32C that loading checks; files without checksums still load. */
class TensorChecksumsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENSOR = "model.layers.0.mlp.up_proj.weight";

    @TempDir
    Path dir;

    private MemoryLM savedModel() {
        manual_seed(5);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("A", List.of(1), "shared", 2));
        Checkpoint.save(model, dir);
        return model;
    }

    @Test
    void theHeaderHoldsOneChecksumPerTensorAsAStringAnySafetensorsReaderAccepts() throws IOException {
        MemoryLM model = savedModel();
        JsonNode metadata = rawHeader(dir.resolve(Checkpoint.WEIGHTS)).get("__metadata__");
        metadata.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), e.getKey() + " must be a string"));
        JsonNode sums = JSON.readTree(metadata.get(TensorChecksums.KEY).textValue());
        List<String> names = new ArrayList<>();
        sums.fieldNames().forEachRemaining(names::add);
        assertEquals(List.copyOf(model.storedTensors().keySet()), names);
        sums.forEach(v -> assertTrue(v.textValue().matches("[0-9a-f]{8}"), v.toString()));
        assertEquals(Map.of("format", "pt"), SafeTensors.metadata(dir.resolve(Checkpoint.WEIGHTS)),
                "callers see their own metadata only");
        assertTrue(SafeTensors.verify(dir.resolve(Checkpoint.WEIGHTS)).checksummed());
    }

    @Test
    void aFlippedByteIsRefusedNamingTheTensor() {
        savedModel();
        Path file = dir.resolve(Checkpoint.WEIGHTS);
        FileDamage.flipByteOf(file, TENSOR);

        var load = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(load.getMessage().startsWith(file + ": tensor " + TENSOR + " fails its CRC32C checksum (stored "), load.getMessage());
        assertTrue(load.getMessage().endsWith("the file is corrupt; restore it from a checkpoint"), load.getMessage());
        var verify = assertThrows(CheckpointException.class, () -> SafeTensors.verify(file));
        assertEquals(load.getMessage(), verify.getMessage());
    }

    @Test
    void aHuggingFaceFileWithoutChecksumsLoads() {
        Path golden = SafeTensorsTest.golden("qwen2-tiny");
        assertFalse(SafeTensors.verify(golden).checksummed());
        assertEquals(26, SafeTensors.read(golden).size());
    }

    @Test
    void aTensorTheChecksumsDoNotCoverIsRefused() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", torch.ones(new long[] {3}));
        tensors.put("b", torch.zeros(new long[] {2}));
        Path file = dir.resolve("edited.safetensors");
        // as another tool would leave it: tensor b added, membank's checksums of the old content kept
        String onlyA = TensorChecksums.encode(Map.of("a", tensors.get("a")));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            SafeTensors.writeTo(channel, file.toString(), tensors, Map.of(TensorChecksums.KEY, onlyA));
        }
        var e = assertThrows(CheckpointException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains("tensor b has no checksum in the metadata key " + TensorChecksums.KEY), e.getMessage());
    }

    @Test
    void aChecksumKeyThatIsNotAJsonMapIsACorruptHeader() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            SafeTensors.writeTo(channel, file.toString(), Map.of("a", torch.ones(new long[] {3})),
                    Map.of(TensorChecksums.KEY, "[1, 2]"));
        }
        var e = assertThrows(CheckpointException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains(TensorChecksums.KEY + " is not a JSON object; the header is corrupt"), e.getMessage());
    }

    private static JsonNode rawHeader(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return JSON.readTree(new String(bytes, 8, length, StandardCharsets.UTF_8));
    }
}
