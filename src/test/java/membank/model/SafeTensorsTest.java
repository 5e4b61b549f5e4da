package membank.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeTensorsTest {

    @TempDir
    Path dir;

    /** One tensor of every dtype, odd sizes so that later tensors start at unaligned offsets. */
    static Map<String, Tensor> everyDtype() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("bf16", torch.randn(new long[] {3, 5}).toType(ScalarType.BFloat16));
        t.put("f32", torch.randn(new long[] {7}));
        t.put("f16", torch.randn(new long[] {2, 3, 3}).toType(ScalarType.Half));
        t.put("f64", torch.randn(new long[] {4, 1}).toType(ScalarType.Double));
        t.put("i8", torch.randint(-128L, 127L, new long[] {9}).toType(ScalarType.Char));
        t.put("u8", torch.randint(256L, new long[] {3, 3}).toType(ScalarType.Byte));
        t.put("i16", torch.randint(-30000L, 30000L, new long[] {5}).toType(ScalarType.Short));
        t.put("i32", torch.randint(-100000L, 100000L, new long[] {6}).toType(ScalarType.Int));
        t.put("i64", torch.randint(-(1L << 40), 1L << 40, new long[] {2, 2}));
        t.put("bool", torch.randint(2L, new long[] {11}).toType(ScalarType.Bool));
        t.put("scalar", torch.randn(new long[0]));
        t.put("empty", torch.randn(new long[] {0, 3}).toType(ScalarType.BFloat16));
        t.put("transposed", torch.randn(new long[] {3, 4}).t());
        return t;
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "names in order");
        expected.forEach((name, e) -> {
            Tensor a = actual.get(name);
            assertEquals(e.scalar_type().intern(), a.scalar_type().intern(), name);
            assertArrayEquals(e.sizes().vec().get(), a.sizes().vec().get(), name);
            assertTrue(torch.equal(e, a), name + " values differ");
        });
    }

    static Path golden(String folder) {
        try {
            return Path.of(SafeTensorsTest.class.getResource("/golden/" + folder + "/model.safetensors").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyDtypeRoundTripsBitExactWithMetadata() {
        Map<String, Tensor> tensors = everyDtype();
        Path file = dir.resolve("all.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt", "step", "12"));

        assertSameTensors(tensors, SafeTensors.read(file));
        assertEquals(Map.of("format", "pt", "step", "12"), SafeTensors.metadata(file));
    }

    @Test
    void headerIsPaddedSoDataStartsEightByteAligned() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafeTensors.write(file, everyDtype(), null);
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();

        assertEquals(0, (8 + headerLength) % 8);
        assertEquals(Map.of(), SafeTensors.metadata(file));
    }

    @Test
    void smallWindowsAndChunksGiveTheSameTensorsAndBytes() throws IOException {
        // Exercises the >2 GB code paths: tensors straddle windows and are written in several chunks.
        Map<String, Tensor> tensors = everyDtype();
        Path whole = dir.resolve("whole.safetensors");
        Path chunked = dir.resolve("chunked.safetensors");
        SafeTensors.write(whole, tensors, null);
        new SafeTensorsWriter(5, true).write(chunked, tensors, null);

        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(chunked));
        assertSameTensors(tensors, new SafeTensorsReader(24).read(whole));
    }

    @Test
    void readsTheGoldenQwen2CheckpointWrittenByPython() {
        Map<String, Tensor> tensors = SafeTensors.read(golden("qwen2-tiny"));

        assertEquals(26, tensors.size());
        List<String> names = List.copyOf(tensors.keySet());
        assertEquals("model.embed_tokens.weight", names.get(0));
        assertEquals("model.norm.weight", names.get(1));
        assertEquals("model.layers.1.self_attn.v_proj.bias", names.get(25));
        assertArrayEquals(new long[] {320, 64}, tensors.get("model.embed_tokens.weight").sizes().vec().get());
        assertArrayEquals(new long[] {32, 64},
                tensors.get("model.layers.0.self_attn.k_proj.weight").sizes().vec().get());
        tensors.values().forEach(t -> assertEquals(ScalarType.Float, t.scalar_type().intern()));
        // Values as Python's struct module reads them from the file.
        Tensor embed = tensors.get("model.embed_tokens.weight");
        assertEquals(0.05567597225308418f, embed.data_ptr_float().get(0));
        assertEquals(-0.3747229278087616f, embed.data_ptr_float().get(1));
    }

    @ParameterizedTest
    @CsvSource({"qwen2-tiny, 26", "llama-untied-headdim, 30", "memory-A-shared, 37", "memory-B-per-layer, 58",
        "chapters-token-independent, 41", "chapters-prefix-joint, 34"})
    void readsEveryGoldenCheckpointAndWritesItBackIdentically(String folder, int count) throws IOException {
        Map<String, Tensor> tensors = SafeTensors.readCheckpoint(golden(folder).getParent());
        assertEquals(count, tensors.size());

        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, tensors, null);
        assertSameTensors(tensors, SafeTensors.read(copy));
    }

    @Test
    void readsAShardedCheckpointThroughItsIndex() throws IOException {
        Map<String, Tensor> all = everyDtype();
        Map<String, Tensor> first = new LinkedHashMap<>();
        Map<String, Tensor> second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            boolean inFirst = i++ < 5;
            (inFirst ? first : second).put(e.getKey(), e.getValue());
            weightMap.put(e.getKey(), inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of("format", "pt"));
        writeIndex(dir, weightMap);

        assertSameTensors(all, SafeTensors.readCheckpoint(dir));
    }

    static void writeIndex(Path dir, Map<String, String> weightMap) throws IOException {
        Map<String, Object> index = Map.of("metadata", Map.of("total_size", 0), "weight_map", weightMap);
        new ObjectMapper().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    }

    @Test
    void readCheckpointPrefersTheSingleFileWhenThereIsNoIndex() {
        Map<String, Tensor> tensors = everyDtype();
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, null);

        assertSameTensors(tensors, SafeTensors.readCheckpoint(dir));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, everyDtype(), null);
        byte[] before = Files.readAllBytes(file);

        Map<String, Tensor> unstorable = everyDtype();
        unstorable.put("complex", torch.view_as_complex(torch.randn(new long[] {2, 2})));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, unstorable, null));
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, everyDtype(), failingMetadata()));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** Metadata that breaks while the header is being built, i.e. after the temporary file exists. */
    static Map<String, String> failingMetadata() {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, String>> entrySet() {
                throw new IllegalStateException("disk full, say");
            }

            @Override
            public boolean isEmpty() {
                return false;
            }
        };
    }

    @Test
    void overwritingReplacesTheFile() {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, everyDtype(), null);
        Map<String, Tensor> newer = Map.of("only", torch.randn(new long[] {4}));
        SafeTensors.write(file, newer, null);

        assertSameTensors(newer, SafeTensors.read(file));
    }

    @Test
    void readTensorsAreIndependentOfTheFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", torch.ones(new long[] {4})), null);
        Tensor w = SafeTensors.read(file).get("w");
        Files.delete(file);

        w.mul_(new org.bytedeco.pytorch.Scalar(3.0));
        assertEquals(3.0f, w.data_ptr_float().get(3));
    }
}
