package membank.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

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
        try (FileChannel channel = open(file)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(file, channel);
            MappedWindows windows = new MappedWindows(channel, windowSize);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (TensorEntry entry : header.tensors) {
                tensors.put(entry.name(), load(entry, header.dataStart, windows));
            }
            return new SafeTensorsFile(header.metadata, tensors);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the file (" + e + ")", e);
        }
    }

    static Map<String, String> metadata(Path file) {
        try (FileChannel channel = open(file)) {
            return SafeTensorsHeader.read(file, channel).metadata;
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
        Tensor tensor = torch.empty(entry.shape(), new TensorOptions(entry.dtype().scalarType),
                new MemoryFormatOptional());
        if (entry.byteCount() > 0) {
            windows.copyTo(tensor.data_ptr(), dataStart + entry.begin(), entry.byteCount());
        }
        return tensor;
    }
}
