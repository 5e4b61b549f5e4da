package membank.model;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

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
    private final BytePointer[] windows;
    /** Held so the mappings stay alive while their addresses are in use. */
    private final MappedByteBuffer[] buffers;

    MappedWindows(FileChannel channel, long windowSize) throws IOException {
        this.channel = channel;
        this.fileSize = channel.size();
        this.windowSize = windowSize;
        int count = (int) ((fileSize + windowSize - 1) / windowSize);
        this.windows = new BytePointer[count];
        this.buffers = new MappedByteBuffer[count];
    }

    /** Copies count bytes starting at file position from into native memory at dst. */
    void copyTo(Pointer dst, long from, long count) throws IOException {
        BytePointer target = new BytePointer(dst);
        long done = 0;
        while (done < count) {
            long position = from + done;
            int index = (int) (position / windowSize);
            long within = position - index * windowSize;
            long n = Math.min(count - done, windowSize - within);
            Pointer.memcpy(target.position(done), window(index).position(within), n);
            done += n;
        }
    }

    /** Adds count bytes starting at file position from to {@code crc}, straight from the map. */
    void update(CRC32C crc, long from, long count) throws IOException {
        long done = 0;
        while (done < count) {
            long position = from + done;
            int index = (int) (position / windowSize);
            int within = (int) (position - index * windowSize);
            int n = (int) Math.min(count - done, windowSize - within);
            window(index);
            crc.update(buffers[index].duplicate().position(within).limit(within + n));
            done += n;
        }
    }

    private BytePointer window(int index) throws IOException {
        if (windows[index] == null) {
            long start = index * windowSize;
            long size = Math.min(windowSize, fileSize - start);
            buffers[index] = channel.map(FileChannel.MapMode.READ_ONLY, start, size);
            windows[index] = new BytePointer(buffers[index]);
        }
        return windows[index];
    }
}
