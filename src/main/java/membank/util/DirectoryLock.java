package membank.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one writer of a directory: an exclusive operating-system lock on {@code DIR/.lock}, held
 * until {@link #close()} or until the process ends, however it ends (a lock file that a killed
 * process left behind blocks nobody). The file names the holder ({@code pid=N started=TIME}) for
 * the message another writer gets; it is never deleted, since a process that opened it before the
 * deletion would lock a file that nobody else sees.
 *
 * <p>Threads of one process take the directory in turn too: the operating system grants the lock
 * per process and drops it when any channel of that process to the file closes, so a second
 * attempt from the same process must never open the file. The holders of this process are
 * therefore kept in one process-wide map, the Java side of the operating system's own table.
 */
public final class DirectoryLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private static final Pattern HOLDER = Pattern.compile("pid=(\\d+) started=(\\S+)");
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'")
            .withZone(ZoneOffset.UTC);
    /** A holder writes its name right after it locks; a reader that came in between waits this long for it. */
    private static final int NAME_WAIT_MS = 500;

    /** Lock files this process holds or waits for; see the class comment for why it is process-wide. */
    private static final ConcurrentMap<Path, Semaphore> THIS_PROCESS = new ConcurrentHashMap<>();

    private final Semaphore local;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(Semaphore local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Waits until no other thread or process holds {@code dir}, then holds it (creating it if needed).
     * A thread that already holds {@code dir} waits for itself: take a directory once.
     */
    public static DirectoryLock acquire(Path dir) throws IOException {
        Path file = lockFile(dir);
        Semaphore local = localLock(file);
        local.acquireUninterruptibly();
        return lockFile(file, local, true);
    }

    /**
     * Holds {@code dir} (creating it if needed) or refuses at once, naming the holder:
     * {@code DIR is in use by membank process PID (started TIME); ADVICE}.
     *
     * @throws IllegalStateException when another thread or process holds it
     */
    public static DirectoryLock tryAcquire(Path dir, String advice) {
        try {
            Path file = lockFile(dir);
            Semaphore local = localLock(file);
            if (!local.tryAcquire()) {
                throw inUse(dir, describe(ProcessHandle.current()), advice);
            }
            DirectoryLock held = lockFile(file, local, false);
            if (held == null) {
                throw inUse(dir, holderOf(file), advice);
            }
            return held;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + " (" + e + "); check that it is a directory you can write", e);
        }
    }

    /** Releases the directory; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock " + lock, e);
        } finally {
            local.release();
        }
    }

    private static Path lockFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        return dir.toRealPath().resolve(FILE);
    }

    private static Semaphore localLock(Path file) {
        return THIS_PROCESS.computeIfAbsent(file, f -> new Semaphore(1));
    }

    /** Takes the file lock (waiting for it, or null when another process holds it), {@code local} already held. */
    private static DirectoryLock lockFile(Path file, Semaphore local, boolean wait) throws IOException {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = wait ? channel.lock() : channel.tryLock();
            if (lock == null) {
                channel.close();
                local.release();
                return null;
            }
            writeName(channel);
            return new DirectoryLock(local, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            local.release();
            throw e;
        }
    }

    private static void writeName(FileChannel channel) throws IOException {
        channel.truncate(0);
        AtomicFile.writeFully(channel, ByteBuffer.wrap((describe(ProcessHandle.current()) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String describe(ProcessHandle process) {
        return "pid=" + process.pid() + " started=" + process.info().startInstant().map(MINUTES::format).orElse("unknown");
    }

    /** The holder's name as its lock file gives it (read without locking, so this process holds nothing to lose). */
    private static String holderOf(Path file) throws IOException {
        long deadline = System.nanoTime() + NAME_WAIT_MS * 1_000_000L;
        String content = Files.readString(file, StandardCharsets.UTF_8);
        while (content.isBlank() && System.nanoTime() < deadline) {
            sleepBriefly();
            content = Files.readString(file, StandardCharsets.UTF_8);
        }
        return content.trim();
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static IllegalStateException inUse(Path dir, String holder, String advice) {
        Matcher m = HOLDER.matcher(holder);
        String who = m.find() ? "membank process " + m.group(1) + " (started " + m.group(2) + ")"
                : "another process (its lock file " + dir.resolve(FILE) + " does not name it)";
        return new IllegalStateException(dir + " is in use by " + who + "; " + advice);
    }
}
