package membank.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.pytorch.Tensor;

import membank.nn.TensorBytes;

/**
 * A CRC32C of every tensor's data bytes, kept in the safetensors header's {@code __metadata__}
 * under {@link #KEY} as a compact JSON object of tensor name to 8 lowercase hex digits (metadata
 * values must be strings, so any safetensors reader still reads the file). Files without the key,
 * such as Hugging Face's, load unverified.
 */
public final class TensorChecksums {
    public static final String KEY = "membank.crc32c";
    /** Largest slice handed to the checksum at once; a ByteBuffer view of native memory cannot exceed 2 GB. */
    private static final long CHUNK = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TensorChecksums() {
    }

    /** Adds a dense CPU tensor's bytes to {@code crc}. */
    public static void update(CRC32C crc, Tensor t) {
        for (ByteBuffer chunk : TensorBytes.chunks(t, CHUNK)) {
            crc.update(chunk);
        }
    }

    public static String hex(CRC32C crc) {
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /** The metadata value for dense CPU tensors, in their order. */
    static String encode(Map<String, Tensor> tensors) {
        ObjectNode node = JSON.createObjectNode();
        tensors.forEach((name, t) -> {
            CRC32C crc = new CRC32C();
            update(crc, t);
            node.put(name, hex(crc));
        });
        return node.toString();
    }

    /** Tensor name to stored checksum from a header's metadata; empty when the file has none. */
    static Map<String, String> decode(Path file, Map<String, String> metadata) {
        String value = metadata.get(KEY);
        Map<String, String> sums = new LinkedHashMap<>();
        if (value == null) {
            return sums;
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw corruptKey(file, "is not a JSON object");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() || !e.getValue().textValue().matches("[0-9a-f]{8}")) {
                throw corruptKey(file, "holds " + e.getValue() + " for tensor '" + e.getKey() + "', not 8 hex digits");
            }
            sums.put(e.getKey(), e.getValue().textValue());
        });
        return sums;
    }

    /**
     * Refuses a tensor whose bytes in the file do not match its stored checksum, or that the
     * checksums do not cover (another tool changed the file after membank wrote it).
     */
    static void verify(Path file, TensorEntry entry, Map<String, String> sums, long dataStart, MappedWindows windows)
            throws IOException {
        String stored = sums.get(entry.name());
        if (stored == null) {
            throw new CheckpointException(file + ": tensor " + entry.name() + " has no checksum in the metadata key " + KEY
                    + " although the other tensors have: the file was changed after membank wrote it; restore it from a"
                    + " checkpoint, or re-save it with membank");
        }
        CRC32C crc = new CRC32C();
        windows.update(crc, dataStart + entry.begin(), entry.byteCount());
        String computed = hex(crc);
        if (!computed.equals(stored)) {
            throw new CheckpointException(file + ": tensor " + entry.name() + " fails its CRC32C checksum (stored " + stored
                    + ", computed " + computed + "): the file is corrupt; restore it from a checkpoint");
        }
    }

    /** Refuses checksums of tensors the file does not have (a tensor was removed or renamed after writing). */
    static void requireKnownNames(Path file, Map<String, String> sums, List<TensorEntry> entries) {
        Set<String> names = new HashSet<>();
        entries.forEach(e -> names.add(e.name()));
        for (String name : sums.keySet()) {
            if (!names.contains(name)) {
                throw corruptKey(file, "has a checksum of tensor '" + name + "', which the file does not hold");
            }
        }
    }

    private static CheckpointException corruptKey(Path file, String what) {
        return new CheckpointException(file + ": the metadata key " + KEY + " " + what + "; the header is corrupt,"
                + " restore the file from a checkpoint");
    }
}
