package membank.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * Reads a safetensors file into tensors that libtorch owns: the file is memory-mapped and each
 * tensor's bytes are copied once, with memcpy, into a fresh tensor. A zero-copy view of the map
 * would save that copy but would tie every tensor's lifetime to a Java mapping that libtorch cannot
 * see, and an in-place op on a read-only page kills the JVM; one copy at load time is cheap next
 * to either risk.
 */
final class SafeTensorsReader {

    private final long windowSize;

    SafeTensorsReader(long windowSize) {
        this.windowSize = windowSize;
    }

    Map<String, Tensor> read(Path file) {
        return readFile(file).tensors();
    }

    /** Tensors and metadata from one opening of the file, so both belong to the same version of it. */
    SafeTensorsFile readFile(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        SafeTensorsHeader header = readVerified(file, (entry, dataStart, windows) ->
                tensors.put(entry.name(), load(entry, dataStart, windows)));
        return new SafeTensorsFile(ownMetadata(header), tensors);
    }

    /**
     * Checks the header and every tensor's checksum (when the file has them) without creating tensors.
     *
     * @throws CheckpointException naming the file and the tensor that fails
     */
    SafeTensors.Verified verify(Path file) {
        SafeTensorsHeader header = readVerified(file, (entry, dataStart, windows) -> { });
        long bytes = header.tensors.stream().mapToLong(TensorEntry::byteCount).sum();
        return new SafeTensors.Verified(header.tensors.size(), bytes, header.metadata.containsKey(TensorChecksums.KEY));
    }

    private interface EntryWork {
        void run(TensorEntry entry, long dataStart, MappedWindows windows) throws IOException;
    }

    /** Opens the file, checks its header, and hands each tensor to {@code work} after its checksum (if any) passed. */
    private SafeTensorsHeader readVerified(Path file, EntryWork work) {
        try (FileChannel channel = open(file)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(file, channel);
            MappedWindows windows = new MappedWindows(channel, windowSize);
            Map<String, String> sums = checksums(header);
            for (TensorEntry entry : header.tensors) {
                if (!sums.isEmpty()) {
                    TensorChecksums.verify(file, entry, sums, header.dataStart, windows);
                }
                work.run(entry, header.dataStart, windows);
            }
            return header;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the file (" + e + ")", e);
        }
    }

    /** The metadata the writer's caller gave; the checksums are the reader's business. */
    private static Map<String, String> ownMetadata(SafeTensorsHeader header) {
        Map<String, String> own = new LinkedHashMap<>(header.metadata);
        own.remove(TensorChecksums.KEY);
        return own;
    }

    private static Map<String, String> checksums(SafeTensorsHeader header) {
        Map<String, String> sums = TensorChecksums.decode(header.file, header.metadata);
        TensorChecksums.requireKnownNames(header.file, sums, header.tensors);
        return sums;
    }

    static Map<String, String> metadata(Path file) {
        try (FileChannel channel = open(file)) {
            return ownMetadata(SafeTensorsHeader.read(file, channel));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the file (" + e + ")", e);
        }
    }

    static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": the file does not exist", e);
        }
    }

    private static Tensor load(TensorEntry entry, long dataStart, MappedWindows windows) throws IOException {
        Tensor tensor = Ops.empty(entry.dtype().scalarType, entry.shape());
        if (entry.byteCount() > 0) {
            windows.copyTo(tensor, dataStart + entry.begin(), entry.byteCount());
        }
        return tensor;
    }
}
