package membank.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.testing.ChildJvm;
import membank.testing.LockHolder;

/** One writer per directory: a second is refused at once with the holder's PID; a killed holder blocks nobody. */
class DirectoryLockTest {
    private static final String ADVICE = "wait for it or choose another --out";

    @TempDir
    Path tmp;

    @Test
    void aSecondWriterInThisProcessIsRefusedWithThePidAndTheFirstKeepsTheLock() throws Exception {
        Path dir = tmp.resolve("run");
        try (DirectoryLock first = DirectoryLock.tryAcquire(dir, ADVICE)) {
            var e = assertThrows(IllegalStateException.class, () -> DirectoryLock.tryAcquire(dir, ADVICE));
            assertTrue(e.getMessage().startsWith(dir + " is in use by membank process " + ProcessHandle.current().pid()
                    + " (started "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; " + ADVICE), e.getMessage());
            // the refusal must not have dropped this process's operating-system lock
            try (ChildJvm other = ChildJvm.start(LockHolder.class, Map.of(), dir.toString())) {
                Thread.sleep(1500);
                assertTrue(other.output().lines().noneMatch(l -> l.startsWith(ChildJvm.MARK + "locked")), other.output());
            }
        }
        DirectoryLock.tryAcquire(dir, ADVICE).close();
    }

    /** The child runs with JAVA_TOOL_OPTIONS set, so its first output line is the JVM's notice, not the protocol. */
    @Test
    void anotherProcessIsNamedAndItsLockDiesWithIt() throws Exception {
        Path dir = tmp.resolve("run");
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_TOOL_OPTIONS", "-Dmembank.test.child=true");
        try (ChildJvm holder = ChildJvm.start(LockHolder.class, env, dir.toString())) {
            assertEquals("locked pid=" + holder.pid(), holder.await("locked", Duration.ofSeconds(30)));
            assertTrue(holder.output().contains("Picked up JAVA_TOOL_OPTIONS"), holder.output());
            var e = assertThrows(IllegalStateException.class, () -> DirectoryLock.tryAcquire(dir, ADVICE));
            assertTrue(e.getMessage().contains("in use by membank process " + holder.pid() + " (started "), e.getMessage());

            holder.process().destroyForcibly().waitFor();
            assertTrue(Files.exists(dir.resolve(DirectoryLock.FILE)), "the killed holder's lock file stays behind");
            DirectoryLock.tryAcquire(dir, ADVICE).close();
        }
    }

    @Test
    void aWaitingWriterGetsTheDirectoryWhenTheHolderReleasesIt() throws Exception {
        Path dir = tmp.resolve("store");
        DirectoryLock first = DirectoryLock.acquire(dir);
        Thread releaser = new Thread(() -> {
            sleep(300);
            first.close();
        });
        long began = System.nanoTime();
        releaser.start();
        try (DirectoryLock second = DirectoryLock.acquire(dir)) {
            assertTrue(System.nanoTime() - began >= 250_000_000L, "the second writer did not wait");
        }
        releaser.join();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
