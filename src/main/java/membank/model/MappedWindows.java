package membank.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

import org.bytedeco.pytorch.Tensor;

import membank.nn.TensorBytes;

/**
 * A read-only memory map of a file in fixed-size windows, because one MappedByteBuffer cannot
 * exceed 2 GB. Ranges that straddle a window boundary are copied piece by piece, so tensors of
 * any size and alignment work. Windows are mapped on first use; the JVM unmaps them when they are
 * no longer reachable, which is safe because callers only ever copy out of them.
 */
final class MappedWindows {

    static final long DEFAULT_WINDOW = 1L << 30;

    private final FileChannel channel;
    private final long fileSize;
    private final long windowSize;
    private final MappedByteBuffer[] windows;

    MappedWindows(FileChannel channel, long windowSize) throws IOException {
        this.channel = channel;
        this.fileSize = channel.size();
        this.windowSize = windowSize;
        this.windows = new MappedByteBuffer[(int) ((fileSize + windowSize - 1) / windowSize)];
    }

    /** Copies count bytes starting at file position from into {@code dst}'s memory, from its first byte. */
    void copyTo(Tensor dst, long from, long count) throws IOException {
        long done = 0;
        while (done < count) {
            ByteBuffer piece = piece(from + done, count - done);
            TensorBytes.copyIn(piece, dst, done);
            done += piece.remaining();
        }
    }

    /** Adds count bytes starting at file position from to {@code crc}, straight from the map. */
    void update(CRC32C crc, long from, long count) throws IOException {
        long done = 0;
        while (done < count) {
            ByteBuffer piece = piece(from + done, count - done);
            done += piece.remaining();
            crc.update(piece);
        }
    }

    /** The bytes from file position {@code position} to the end of its window, at most {@code most} of them. */
    private ByteBuffer piece(long position, long most) throws IOException {
        int index = (int) (position / windowSize);
        int within = (int) (position - index * windowSize);
        int n = (int) Math.min(most, windowSize - within);
        return window(index).duplicate().position(within).limit(within + n);
    }

    private MappedByteBuffer window(int index) throws IOException {
        if (windows[index] == null) {
            long start = index * windowSize;
            long size = Math.min(windowSize, fileSize - start);
            windows[index] = channel.map(FileChannel.MapMode.READ_ONLY, start, size);
        }
        return windows[index];
    }
}
