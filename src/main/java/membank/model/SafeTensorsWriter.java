package membank.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.pytorch.Tensor;

import membank.nn.TensorBytes;
import membank.util.AtomicFile;

/**
 * Writes tensors as one safetensors file, in the order given. Tensors are packed back to back
 * without padding, because the format forbids holes in the data section (the reference reader
 * rejects them); the header is padded with spaces so the data section starts 8-byte aligned.
 */
final class SafeTensorsWriter {

    static final long DEFAULT_CHUNK = 1L << 30;

    /** Largest single write; a ByteBuffer view of native memory cannot exceed 2 GB. */
    private final long chunkSize;
    /** Whether the header gets each tensor's CRC32C ({@link TensorChecksums}). */
    private final boolean checksums;

    SafeTensorsWriter(long chunkSize, boolean checksums) {
        this.chunkSize = chunkSize;
        this.checksums = checksums;
    }

    void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFile.write(file, channel -> writeTo(file.toString(), channel, tensors, metadata),
                AtomicFile.BeforeRename.NOTHING);
    }

    /** Writes the bytes of a whole file to a channel the caller owns; {@code file} only labels error messages. */
    void writeTo(String file, WritableByteChannel channel, Map<String, Tensor> tensors,
            Map<String, String> metadata) throws IOException {
        Map<String, Tensor> dense = denseCpu(file, tensors);
        byte[] header = header(dense, withChecksums(dense, metadata));
        ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header).flip();
        AtomicFile.writeFully(channel, prefix);
        for (Tensor tensor : dense.values()) {
            writeData(channel, tensor);
        }
    }

    /** The caller's metadata, plus the tensors' checksums when this writer adds them (replacing stale ones). */
    private Map<String, String> withChecksums(Map<String, Tensor> dense, Map<String, String> metadata) {
        if (!checksums) {
            return metadata;
        }
        Map<String, String> all = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
        all.put(TensorChecksums.KEY, TensorChecksums.encode(dense));
        return all;
    }

    /** The format stores raw row-major bytes, so every tensor must be contiguous and in CPU memory. */
    private static Map<String, Tensor> denseCpu(String file, Map<String, Tensor> tensors) {
        Map<String, Tensor> dense = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException(file + ": '" + e.getKey() + "' is reserved, not a tensor name");
            }
            if (DType.of(e.getValue().scalar_type()) == null) {
                throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has type "
                        + e.getValue().scalar_type() + ", which safetensors in membank cannot store (it stores "
                        + DType.supportedNames() + ")");
            }
            dense.put(e.getKey(), e.getValue().cpu().contiguous());
        }
        return dense;
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensorsHeader.METADATA_KEY);
            metadata.forEach((key, value) -> meta.put(key, requireText(key, value)));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            offset = describe(root.putObject(e.getKey()), e.getValue(), offset);
        }
        return padded(root.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String requireText(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata '" + key + "' -> '" + value
                    + "': safetensors metadata holds only non-null strings");
        }
        return value;
    }

    private static long describe(ObjectNode node, Tensor tensor, long offset) {
        node.put("dtype", DType.of(tensor.scalar_type()).name());
        ArrayNode shape = node.putArray("shape");
        Arrays.stream(tensor.sizes().vec().get()).forEach(shape::add);
        long end = offset + tensor.nbytes();
        node.putArray("data_offsets").add(offset).add(end);
        return end;
    }

    private static byte[] padded(byte[] header) {
        int length = (header.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(header, length);
        Arrays.fill(out, header.length, length, (byte) ' ');
        return out;
    }

    /** Writes straight from the tensor's memory, in chunks a ByteBuffer view can hold. */
    private void writeData(WritableByteChannel channel, Tensor tensor) throws IOException {
        for (ByteBuffer chunk : TensorBytes.chunks(tensor, chunkSize)) {
            AtomicFile.writeFully(channel, chunk);
        }
    }
}
