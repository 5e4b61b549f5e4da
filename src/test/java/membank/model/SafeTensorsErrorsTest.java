package membank.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsErrorsTest {

    @TempDir
    Path dir;

    static void assertMessage(Executable action, String... parts) {
        CheckpointException e = assertThrows(CheckpointException.class, action);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    /** A file with the given header length field, header text and data bytes. */
    Path raw(String name, long headerLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(json);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    @Test
    void truncatedFileNamesFileTensorAndByteRange() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("model.embed_tokens.weight", torch.randn(new long[] {8, 8}));
        tensors.put("model.norm.weight", torch.randn(new long[] {64}));
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, null);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));

        long end = bytes.length;
        long begin = end - 256;
        assertMessage(() -> SafeTensors.read(file), "model.safetensors", "'model.norm.weight'",
                "[" + begin + ", " + end + ")", "has " + (end - 100) + " bytes", "truncated");
    }

    @Test
    void garbageHeaderIsNotValidJson() throws IOException {
        Path file = raw("model.safetensors", "{\"a\": [1, 2,, garbage", 0);
        assertMessage(() -> SafeTensors.read(file), "model.safetensors", "not valid JSON");
        assertMessage(() -> SafeTensors.metadata(file), "model.safetensors", "not valid JSON");
    }

    @Test
    void headerThatIsNotAnObjectIsRefused() throws IOException {
        Path file = raw("x.safetensors", "[1, 2, 3]", 0);
        assertMessage(() -> SafeTensors.read(file), "x.safetensors", "not a JSON object");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path file = raw("model.safetensors", 1_000_000, "{}", 0);
        assertMessage(() -> SafeTensors.read(file), "model.safetensors", "header length 1000000", "beyond the file");
    }

    @Test
    void negativeHeaderLengthIsBeyondTheFileToo() throws IOException {
        Path file = raw("model.safetensors", -1, "{}", 0);
        assertMessage(() -> SafeTensors.read(file), "model.safetensors", "beyond the file");
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertMessage(() -> SafeTensors.read(file), "short.safetensors", "3 bytes");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nothing.safetensors");
        assertMessage(() -> SafeTensors.read(file), "nothing.safetensors", "does not exist");
    }

    @Test
    void unknownDtype() throws IOException {
        Path file = raw("m.safetensors", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertMessage(() -> SafeTensors.read(file), "m.safetensors", "'w'", "F8_E4M3");
    }

    @Test
    void offsetsThatDoNotMatchShapeTimesDtype() throws IOException {
        Path file = raw("m.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24);
        assertMessage(() -> SafeTensors.read(file), "m.safetensors", "'w'", "[2, 3]", "24 bytes", "hold 20");
    }

    @Test
    void offsetsEndingBeforeTheyBegin() throws IOException {
        Path file = raw("m.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4);
        assertMessage(() -> SafeTensors.read(file), "m.safetensors", "'w'", "end before they begin");
    }

    @Test
    void missingOrMalformedFields() throws IOException {
        Path noShape = raw("a.safetensors", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4);
        assertMessage(() -> SafeTensors.read(noShape), "a.safetensors", "'w'", "\"shape\"");
        Path badDim = raw("b.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4);
        assertMessage(() -> SafeTensors.read(badDim), "b.safetensors", "'w'", "-1");
        Path badMeta = raw("c.safetensors", "{\"__metadata__\":{\"n\":3}}", 0);
        assertMessage(() -> SafeTensors.metadata(badMeta), "c.safetensors", "'n'", "not a string");
    }

    @Test
    void duplicateTensorNamesAreRefused() throws IOException {
        String entry = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        Path file = raw("d.safetensors", "{\"w\":" + entry + ",\"w\":" + entry + "}", 1);
        assertMessage(() -> SafeTensors.read(file), "d.safetensors", "not valid JSON", "Duplicate");
    }

    @Test
    void overlappingAndUnsortedRangesAreAccepted() throws IOException {
        Path file = raw("o.safetensors", "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}", 4);
        Map<String, Tensor> tensors = SafeTensors.read(file);
        assertTrue(tensors.keySet().toString().equals("[b, a]"));
    }

    @Test
    void missingShardNamesTheShardAndATensor() throws IOException {
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("model.norm.weight", torch.randn(new long[] {4})), null);
        Map<String, String> weightMap = new LinkedHashMap<>();
        weightMap.put("model.norm.weight", "model-00001-of-00002.safetensors");
        weightMap.put("lm_head.weight", "model-00002-of-00002.safetensors");
        SafeTensorsTest.writeIndex(dir, weightMap);

        assertMessage(() -> SafeTensors.readCheckpoint(dir), "model-00002-of-00002.safetensors", "'lm_head.weight'",
                "missing");
    }

    @Test
    void tensorAbsentFromItsShard() throws IOException {
        SafeTensors.write(dir.resolve("model-00001-of-00001.safetensors"),
                Map.of("model.norm.weight", torch.randn(new long[] {4})), null);
        SafeTensorsTest.writeIndex(dir, Map.of("lm_head.weight", "model-00001-of-00001.safetensors"));

        assertMessage(() -> SafeTensors.readCheckpoint(dir), "model-00001-of-00001.safetensors", "'lm_head.weight'");
    }

    @Test
    void shardOutsideTheDirectoryIsRefused() throws IOException {
        SafeTensorsTest.writeIndex(dir, Map.of("w", "../elsewhere.safetensors"));
        assertMessage(() -> SafeTensors.readCheckpoint(dir), "../elsewhere.safetensors", "'w'");
    }

    @Test
    void directoryWithoutWeights() {
        assertMessage(() -> SafeTensors.readCheckpoint(dir), dir.toString(), "model.safetensors");
    }

    @Test
    void corruptIndex() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": 3}");
        assertMessage(() -> SafeTensors.readCheckpoint(dir), "model.safetensors.index.json", "weight_map");
    }

    @Test
    void shapeCheckNamesFileTensorAndBothShapes() {
        Path file = Path.of("model.safetensors");
        Tensor t = torch.randn(new long[] {3, 4});
        SafeTensors.checkShape(file, "w", t, new long[] {3, 4});
        assertMessage(() -> SafeTensors.checkShape(file, "w", t, new long[] {4, 3}), "model.safetensors", "'w'",
                "[3, 4]", "[4, 3]");
    }
}
