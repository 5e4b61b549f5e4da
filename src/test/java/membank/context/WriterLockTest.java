package membank.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save waits while another process holds the user's lock file, and completes once it is released. */
class WriterLockTest {
    @TempDir
    Path root;

    @Test
    void aSaveWaitsForAnotherProcessHoldingTheUsersLock() throws Exception {
        FileContextStore store = new FileContextStore(root);
        ContextBank old = Banks.varied(1, 3, 4);
        ContextBank newer = Banks.varied(2, 6, 4);
        store.save("alice", old);
        Path lockFile = store.bankFile("alice").resolveSibling(FileContextStore.LOCK_FILE);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", said.readLine());
            CompletableFuture<Void> save = CompletableFuture.runAsync(() -> store.save("alice", newer));
            Thread.sleep(500);
            assertFalse(save.isDone(), "the save must wait for the other process's lock");
            Banks.assertSame(old, store.load("alice").orElseThrow());

            other.getOutputStream().close(); // the other process releases the lock and exits
            save.get(30, TimeUnit.SECONDS);
            Banks.assertSame(newer, store.load("alice").orElseThrow());
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
