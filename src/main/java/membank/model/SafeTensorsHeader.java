package membank.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file: every tensor's dtype, shape and byte
 * range, checked against the file's size so that reading the data can no longer fail half-way.
 */
final class SafeTensorsHeader {

    static final String METADATA_KEY = "__metadata__";

    /** The reference implementation refuses larger headers too; it guards against huge allocations. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** ObjectReader is immutable, so sharing one is safe; duplicate names would silently drop a tensor. */
    private static final ObjectReader JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .reader();

    final Path file;
    final long dataStart;
    final List<TensorEntry> tensors;
    final Map<String, String> metadata;

    private SafeTensorsHeader(Path file, long dataStart, List<TensorEntry> tensors, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static SafeTensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        long headerLength = headerLength(file, channel, fileSize);
        JsonNode root = parseJson(file, readBytes(channel, 8, (int) headerLength));
        SafeTensorsHeader header = new SafeTensorsHeader(file, 8 + headerLength,
                new ArrayList<>(), new LinkedHashMap<>());
        header.parseEntries(root, fileSize);
        return header;
    }

    private static long headerLength(Path file, FileChannel channel, long fileSize) throws IOException {
        if (fileSize < 8) {
            throw fail(file, "the file has " + fileSize + " bytes, fewer than the 8-byte header length;"
                    + " it is not a safetensors file or it is truncated");
        }
        long length = ByteBuffer.wrap(readBytes(channel, 0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length < 0 || length > fileSize - 8) {
            throw fail(file, "the header length " + Long.toUnsignedString(length) + " goes beyond the file ("
                    + fileSize + " bytes); the file is truncated or not a safetensors file");
        }
        if (length > MAX_HEADER_BYTES) {
            throw fail(file, "the header length " + length + " exceeds " + MAX_HEADER_BYTES
                    + " bytes; the file is corrupt or not a safetensors file");
        }
        return length;
    }

    private static byte[] readBytes(FileChannel channel, long position, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buffer.array();
    }

    private static JsonNode parseJson(Path file, byte[] bytes) {
        try {
            JsonNode root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                throw fail(file, "the header is not a JSON object; the file is corrupt");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": the header is not valid JSON ("
                    + e.getOriginalMessage() + "); the file is corrupt, re-save or re-download it", e);
        }
    }

    private void parseEntries(JsonNode root, long fileSize) {
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals(METADATA_KEY)) {
                parseMetadata(field.getValue());
            } else {
                TensorEntry entry = parseEntry(field.getKey(), field.getValue());
                checkRange(entry, fileSize);
                tensors.add(entry);
            }
        }
    }

    private void parseMetadata(JsonNode node) {
        if (!node.isObject()) {
            throw fail(file, "\"" + METADATA_KEY + "\" is not a JSON object; the header is corrupt");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw fail(file, "metadata value '" + e.getKey() + "' is not a string; the header is corrupt");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        });
    }

    private TensorEntry parseEntry(String name, JsonNode node) {
        if (!node.isObject()) {
            throw failTensor(name, "its header entry is not a JSON object; the header is corrupt");
        }
        DType dtype = parseDtype(name, node.get("dtype"));
        long[] shape = parseLongs(name, "shape", node.get("shape"), -1);
        long[] offsets = parseLongs(name, "data_offsets", node.get("data_offsets"), 2);
        if (offsets[1] < offsets[0]) {
            throw failTensor(name, "data_offsets " + Arrays.toString(offsets) + " end before they begin;"
                    + " the header is corrupt");
        }
        TensorEntry entry = new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
        checkSize(entry);
        return entry;
    }

    private DType parseDtype(String name, JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw failTensor(name, "\"dtype\" is missing or not a string; the header is corrupt");
        }
        DType dtype = DType.byName(node.textValue());
        if (dtype == null) {
            throw failTensor(name, "has dtype '" + node.textValue() + "', which membank cannot read (it reads "
                    + DType.supportedNames() + "); convert the checkpoint to one of these");
        }
        return dtype;
    }

    /** A JSON array of non-negative integers; length -1 means any length. */
    private long[] parseLongs(String name, String key, JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            String what = length >= 0 ? "an array of " + length + " integers" : "an array of integers";
            throw failTensor(name, "\"" + key + "\" is missing or not " + what + "; the header is corrupt");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.longValue() < 0) {
                throw failTensor(name, "\"" + key + "\" holds " + v + ", not a non-negative integer;"
                        + " the header is corrupt");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private void checkSize(TensorEntry entry) {
        long expected;
        try {
            expected = entry.dtype().bytes;
            for (long dim : entry.shape()) {
                expected = Math.multiplyExact(expected, dim);
            }
        } catch (ArithmeticException e) {
            throw failTensor(entry.name(), "has shape " + Arrays.toString(entry.shape()) + ", which is too large;"
                    + " the header is corrupt");
        }
        if (expected != entry.byteCount()) {
            throw failTensor(entry.name(), "has shape " + Arrays.toString(entry.shape()) + " of " + entry.dtype()
                    + ", which needs " + expected + " bytes, but data_offsets [" + entry.begin() + ", " + entry.end()
                    + ") hold " + entry.byteCount() + "; the header is corrupt");
        }
    }

    private void checkRange(TensorEntry entry, long fileSize) {
        long end = dataStart + entry.end();
        if (end < 0 || end > fileSize) {
            throw failTensor(entry.name(), "needs bytes [" + (dataStart + entry.begin()) + ", "
                    + (dataStart + entry.end()) + ") but the file has " + fileSize
                    + " bytes; the file is truncated, re-save or re-download it");
        }
    }

    private CheckpointException failTensor(String name, String reason) {
        return fail(file, "tensor '" + name + "' " + reason);
    }

    private static CheckpointException fail(Path file, String reason) {
        return new CheckpointException(file + ": " + reason);
    }
}
