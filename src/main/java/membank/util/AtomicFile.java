package membank.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a crash leaves either the old or the new content, never half of one: the
 * bytes go to a temporary sibling, are fsynced, and the sibling is renamed over the target. The
 * target's parent directories are created when missing.
 *
 * <p>A crash before the rename can leave the temporary sibling behind ({@code .NAME.tmp-PID});
 * readers of the target never see it, and {@link #isTemporaryOf} lets an owner recognise and remove it.
 *
 * <p>This is the project's one atomic writer: files of bytes, streamed content, copies, PNG images
 * (through {@link PngFile}) and whole directories ({@link #writeDirectory}) all go through it.
 */
public final class AtomicFile {
    private static final String TEMP_INFIX = ".tmp-";

    /** Writes the whole content to the channel; if it throws, the target is unchanged. */
    public interface Content {
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /**
     * Runs with the complete, synced temporary file just before it replaces the target. Tests use it
     * to simulate a crash at the one moment where both files exist.
     */
    public interface BeforeRename {
        BeforeRename NOTHING = temp -> { };

        void run(Path temp) throws IOException;
    }

    /** Fills a fresh directory with files; if it throws, the target directory is unchanged. */
    public interface DirectoryContent {
        void writeInto(Path directory) throws IOException;
    }

    private AtomicFile() {
    }

    /** Writes {@code text} as UTF-8. */
    public static void write(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> writeFully(channel, ByteBuffer.wrap(bytes)), BeforeRename.NOTHING);
    }

    /** Copies {@code source} into place at {@code target}, streamed. */
    public static void copy(Path source, Path target) throws IOException {
        write(target, channel -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, channel);
                }
            }
        }, BeforeRename.NOTHING);
    }

    /** Streams the content into place (no copy of it in Java memory), running the hook before the rename. */
    public static void write(Path target, Content content, BeforeRename beforeRename) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + TEMP_INFIX + ProcessHandle.current().pid());
        try {
            writeSynced(temp, content);
            beforeRename.run(temp);
            moveIntoPlace(temp, absolute);
            syncDirectory(absolute.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes a whole directory as one: {@code content} fills the sibling {@code NAME.tmp} (its files
     * written atomically themselves), which then replaces {@code target}. A crash leaves the old
     * target, or none, and at most a {@code NAME.tmp} that the next write of the same target removes.
     * The caller must be the directory's one writer (for a run, its {@link DirectoryLock}).
     */
    public static void writeDirectory(Path target, DirectoryContent content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Directories.deleteTree(temp);
        Files.createDirectories(temp);
        content.writeInto(temp);
        Directories.deleteTree(absolute);
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(absolute.getParent());
    }

    /** Whether {@code candidate} is a temporary sibling an interrupted write of {@code target} left behind. */
    public static boolean isTemporaryOf(Path candidate, Path target) {
        return candidate.getFileName().toString().startsWith("." + target.getFileName() + TEMP_INFIX)
                && candidate.toAbsolutePath().getParent().equals(target.toAbsolutePath().getParent());
    }

    public static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void writeSynced(Path file, Content content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            content.writeTo(channel);
            channel.force(true);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable; some file systems cannot open a directory, which is harmless. */
    private static void syncDirectory(Path directory) {
        if (directory == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // best effort: the file's own content is already synced
        }
    }
}
