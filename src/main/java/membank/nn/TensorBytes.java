package membank.nn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;

/**
 * A dense CPU tensor's memory as bytes, for files: views of it to write out, and copies into it
 * from a file mapping. Nothing here ties a tensor to Java memory: views live while the tensor
 * does, and bytes come in by copy, so the tensor owns its memory (SafeTensorsReader says why).
 */
public final class TensorBytes {
    private TensorBytes() {
    }

    /**
     * Views of {@code t}'s memory, in order, each at most {@code chunkBytes} long (a ByteBuffer
     * holds less than 2 GiB): its bytes for a file or a checksum, without a copy. The views are
     * valid while the tensor lives.
     */
    public static List<ByteBuffer> chunks(Tensor t, long chunkBytes) {
        long total = t.nbytes();
        List<ByteBuffer> chunks = new ArrayList<>();
        if (total == 0) {
            return chunks;
        }
        BytePointer data = new BytePointer(t.data_ptr());
        for (long done = 0; done < total; done += chunkBytes) {
            data.position(done).limit(Math.min(total, done + chunkBytes));
            chunks.add(data.asByteBuffer());
        }
        return chunks;
    }

    /**
     * Copies the remaining bytes of the direct buffer {@code from} (e.g. a piece of a file mapping)
     * into {@code to}'s memory at byte {@code offset}, with memcpy; {@code from}'s position is left
     * where it was.
     */
    public static void copyIn(ByteBuffer from, Tensor to, long offset) {
        if (!from.isDirect()) {
            throw new IllegalArgumentException("copyIn reads native memory: the buffer must be direct");
        }
        long n = from.remaining();
        if (offset < 0 || offset + n > to.nbytes()) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + n) + ") of a tensor of " + to.nbytes());
        }
        BytePointer source = new BytePointer(from.slice());
        Pointer.memcpy(new BytePointer(to.data_ptr()).position(offset), source, n);
    }
}
