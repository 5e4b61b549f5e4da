package membank.model;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header,
 * then raw row-major tensor bytes), the weights format of Hugging Face checkpoints.
 *
 * <p>Reading memory-maps the file (in windows, so files over 2 GB work) and copies each tensor once
 * into memory libtorch owns: the tensors are independent of the file, writable, and safe to keep
 * after the file is replaced. Writing is atomic: a crash or error leaves the previous file intact.
 * Files membank writes carry a CRC32C per tensor ({@link TensorChecksums}), verified on reading.
 * Every problem with a file is a {@link CheckpointException} naming the file and the tensor.
 */
public final class SafeTensors {

    private SafeTensors() {
    }

    /** All tensors of the file, in the order of its header, in their stored dtype. */
    public static Map<String, Tensor> read(Path file) {
        return new SafeTensorsReader(MappedWindows.DEFAULT_WINDOW).read(file);
    }

    /**
     * Tensors and metadata read through one opening of the file: when another process replaces the
     * file meanwhile, both still come from the same version (two separate reads could mix two).
     */
    public static SafeTensorsFile readFile(Path file) {
        return new SafeTensorsReader(MappedWindows.DEFAULT_WINDOW).readFile(file);
    }

    /** What {@link #verify} found: the tensors and their bytes, and whether the file carries checksums. */
    public record Verified(int tensors, long bytes, boolean checksummed) {
    }

    /**
     * Checks a file without loading it: its header, and each tensor's CRC32C where the file carries
     * checksums ({@link TensorChecksums}).
     *
     * @throws CheckpointException naming the file and what fails
     */
    public static Verified verify(Path file) {
        return new SafeTensorsReader(MappedWindows.DEFAULT_WINDOW).verify(file);
    }

    /** The header's {@code __metadata__} strings (empty when there are none; checksums left out), without reading tensors. */
    public static Map<String, String> metadata(Path file) {
        return SafeTensorsReader.metadata(file);
    }

    /**
     * Writes the tensors in the map's order, with optional metadata (null for none). Tensors on
     * another device or not contiguous are copied to dense CPU memory first.
     *
     * @throws IllegalArgumentException for a dtype safetensors cannot hold or a reserved name
     * @throws CheckpointException when the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        try {
            new SafeTensorsWriter(SafeTensorsWriter.DEFAULT_CHUNK, true).write(file, tensors, metadata);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write the file (" + e + "); the previous"
                    + " file, if any, is unchanged", e);
        }
    }

    /**
     * Writes the bytes of a safetensors file to a channel the caller owns (and makes atomic, if it
     * must be); {@code label} names the destination in error messages. Unlike {@link #write}, it
     * adds no per-tensor checksums: the caller's format carries its own (the context bank's crc32c).
     *
     * @throws IllegalArgumentException for a dtype safetensors cannot hold or a reserved name
     */
    public static void writeTo(WritableByteChannel channel, String label, Map<String, Tensor> tensors,
            Map<String, String> metadata) throws IOException {
        new SafeTensorsWriter(SafeTensorsWriter.DEFAULT_CHUNK, false).writeTo(label, channel, tensors, metadata);
    }

    /**
     * The tensors of a model directory: {@code model.safetensors}, or every shard that
     * {@code model.safetensors.index.json} lists, when the index exists.
     */
    public static Map<String, Tensor> readCheckpoint(Path dir) {
        return new ShardedCheckpoint(dir, new SafeTensorsReader(MappedWindows.DEFAULT_WINDOW)).read();
    }

    /** Refuses a tensor whose shape is not what the model's configuration needs. */
    public static void checkShape(Path file, String name, Tensor t, long[] expected) {
        long[] actual = t.sizes().vec().get();
        if (!Arrays.equals(actual, expected)) {
            throw new CheckpointException(file + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + " but the model configuration expects " + Arrays.toString(expected)
                    + "; the checkpoint does not belong to this config.json");
        }
    }

    /** Refuses integer codes of another dtype than the model holds (a cast would change their meaning). */
    public static void checkType(Path file, String name, Tensor t, ScalarType expected) {
        if (t.scalar_type().value != expected.value) {
            throw new CheckpointException(file + ": tensor '" + name + "' has dtype " + DType.of(t.scalar_type())
                    + " but the model configuration expects " + DType.of(expected)
                    + "; the checkpoint does not belong to this config.json");
        }
    }
}
