package membank.context;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.model.CheckpointException;
import membank.model.SafeTensors;
import membank.model.SafeTensorsFile;
import membank.model.TensorChecksums;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * A context bank as one safetensors file (docs/context-store.md): tensors {@code vectors} F32
 * [n, d], {@code mass}, {@code references}, {@code attention} F32 [n] and {@code last_used} I64
 * [n]; metadata {@code format}, {@code version}, {@code user}, {@code dim}, {@code rows} and
 * {@code crc32c}, the checksum of the five tensors' data bytes in that order. Reading verifies all
 * of it before a bank exists, so a damaged file is refused whole.
 */
public final class BankFormat {
    public static final String FORMAT = "membank-context-bank";
    public static final String VERSION = "1";

    static final String VECTORS = "vectors";
    static final String MASS = "mass";
    static final String REFERENCES = "references";
    static final String ATTENTION = "attention";
    static final String LAST_USED = "last_used";
    /** The tensors in file and checksum order. */
    static final List<String> TENSORS = List.of(VECTORS, MASS, REFERENCES, ATTENTION, LAST_USED);

    private BankFormat() {
    }

    /** Writes the bank's file to {@code channel}; {@code label} names the destination in error messages. */
    public static void write(WritableByteChannel channel, String label, String user, ContextBank bank) throws IOException {
        try (Scope scope = Scope.tensors()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put(VECTORS, bank.vectors().contiguous());
            tensors.put(MASS, floatTensor(bank.massArray()));
            tensors.put(REFERENCES, floatTensor(bank.referencesArray()));
            tensors.put(ATTENTION, floatTensor(bank.attentionArray()));
            tensors.put(LAST_USED, longTensor(bank.lastUsedArray()));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", FORMAT);
            metadata.put("version", VERSION);
            metadata.put("user", user);
            metadata.put("dim", Integer.toString(bank.dim()));
            metadata.put("rows", Integer.toString(bank.size()));
            metadata.put("crc32c", checksum(tensors));
            SafeTensors.writeTo(channel, label, tensors, metadata);
        }
    }

    /**
     * The verified bank of {@code user} in {@code file}.
     *
     * @throws ContextStoreException naming the user, the file, what is wrong and what to do
     */
    public static ContextBank read(Path file, String user) {
        try (Scope scope = Scope.tensors()) {
            SafeTensorsFile content = readFile(file, user);
            Header header = Header.check(file, user, content.metadata());
            Map<String, Tensor> tensors = content.tensors();
            checkTensors(file, user, header, tensors);
            String actual = checksum(tensors);
            if (!actual.equals(header.checksum())) {
                throw damaged(file, user, "its data does not match its checksum (crc32c " + actual
                        + ", recorded " + header.checksum() + "): bytes changed after it was written");
            }
            ContextBank bank = new ContextBank(header.dim());
            bank.add(tensors.get(VECTORS), floats(tensors.get(MASS)), floats(tensors.get(REFERENCES)),
                    floats(tensors.get(ATTENTION)), longs(tensors.get(LAST_USED)));
            return bank;
        }
    }

    /** What the header says, without reading the data: cheap, but the checksum is not verified. */
    public static StoredBank describe(Path file, String user) {
        Map<String, String> metadata;
        long bytes;
        try {
            metadata = SafeTensors.metadata(file);
            bytes = Files.size(file);
        } catch (CheckpointException | IOException e) {
            throw damaged(file, user, "it cannot be read (" + e.getMessage() + ")", e);
        }
        Header header = Header.check(file, user, metadata);
        return new StoredBank(user, file, bytes, header.dim(), header.rows(), header.checksum());
    }

    private static SafeTensorsFile readFile(Path file, String user) {
        try {
            return SafeTensors.readFile(file);
        } catch (CheckpointException e) {
            throw damaged(file, user, "it cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The metadata of a bank file, checked: which format, whose, and what shapes the tensors must have. */
    private record Header(int dim, int rows, String checksum) {
        static Header check(Path file, String user, Map<String, String> metadata) {
            String format = metadata.get("format");
            if (!FORMAT.equals(format)) {
                throw damaged(file, user, "it is not a context bank (metadata format is "
                        + (format == null ? "missing" : "'" + format + "'") + ", expected '" + FORMAT + "')");
            }
            String version = metadata.get("version");
            if (!VERSION.equals(version)) {
                throw new ContextStoreException("the context bank of user '" + user + "' at " + file
                        + " has format version " + (version == null ? "(missing)" : version) + ", but this membank reads version " + VERSION
                        + ": open it with the membank that wrote it, or remove it with `membank context forget --user "
                        + user + "`");
            }
            String owner = metadata.get("user");
            if (!user.equals(owner)) {
                throw damaged(file, user, "it belongs to user '" + owner + "' (its metadata says so); a file was"
                        + " copied or moved between users' directories");
            }
            int dim = number(file, user, metadata, "dim", 1);
            int rows = number(file, user, metadata, "rows", 0);
            String checksum = metadata.get("crc32c");
            if (checksum == null || !checksum.matches("[0-9a-f]{8}")) {
                throw damaged(file, user, "its metadata crc32c is " + (checksum == null ? "missing" : "'" + checksum + "'")
                        + ", not 8 hex digits");
            }
            return new Header(dim, rows, checksum);
        }

        private static int number(Path file, String user, Map<String, String> metadata, String key, int min) {
            String text = metadata.get(key);
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < min) {
                throw damaged(file, user, "its metadata " + key + " is " + (text == null ? "missing" : "'" + text + "'")
                        + ", not an integer >= " + min);
            }
            return value;
        }
    }

    private static void checkTensors(Path file, String user, Header header, Map<String, Tensor> tensors) {
        for (String name : tensors.keySet()) {
            if (!TENSORS.contains(name)) {
                throw damaged(file, user, "it holds a tensor '" + name + "' that a context bank does not have"
                        + " (expected " + String.join(", ", TENSORS) + ")");
            }
        }
        for (String name : TENSORS) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw damaged(file, user, "its tensor '" + name + "' is missing");
            }
            boolean isLong = name.equals(LAST_USED);
            ScalarType type = isLong ? ScalarType.Long : ScalarType.Float;
            if (t.scalar_type().value != type.value) {
                throw damaged(file, user, "its tensor '" + name + "' is not " + (isLong ? "I64" : "F32"));
            }
            long[] expected = name.equals(VECTORS) ? new long[] {header.rows(), header.dim()} : new long[] {header.rows()};
            if (!Arrays.equals(Ops.shape(t), expected)) {
                throw damaged(file, user, "its tensor '" + name + "' has shape " + Arrays.toString(Ops.shape(t))
                        + ", but the metadata (rows " + header.rows() + ", dim " + header.dim() + ") needs "
                        + Arrays.toString(expected));
            }
        }
    }

    /** CRC32C of the tensors' bytes in {@link #TENSORS} order, as 8 hex digits. */
    static String checksum(Map<String, Tensor> tensors) {
        CRC32C crc = new CRC32C();
        for (String name : TENSORS) {
            TensorChecksums.update(crc, tensors.get(name));
        }
        return TensorChecksums.hex(crc);
    }

    private static ContextStoreException damaged(Path file, String user, String what) {
        return damaged(file, user, what, null);
    }

    private static ContextStoreException damaged(Path file, String user, String what, Throwable cause) {
        return new ContextStoreException("the context bank of user '" + user + "' at " + file + " is refused: "
                + what + "; restore it from a backup or remove it with `membank context forget --user " + user + "`",
                cause);
    }

    private static Tensor floatTensor(float[] values) {
        Tensor t = torch.empty(new long[] {values.length}, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        if (values.length > 0) {
            new FloatPointer(t.data_ptr_float()).capacity(values.length).put(values);
        }
        return t;
    }

    private static Tensor longTensor(long[] values) {
        Tensor t = torch.empty(new long[] {values.length}, new TensorOptions(ScalarType.Long), new MemoryFormatOptional());
        if (values.length > 0) {
            new LongPointer(t.data_ptr_long()).capacity(values.length).put(values);
        }
        return t;
    }

    private static float[] floats(Tensor t) {
        float[] out = new float[Math.toIntExact(t.numel())];
        if (out.length > 0) {
            new FloatPointer(t.data_ptr_float()).capacity(out.length).get(out);
        }
        return out;
    }

    private static long[] longs(Tensor t) {
        long[] out = new long[Math.toIntExact(t.numel())];
        if (out.length > 0) {
            new LongPointer(t.data_ptr_long()).capacity(out.length).get(out);
        }
        return out;
    }
}
