package membank.context;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.testing.ChildJvm;
import membank.testing.LockHolder;

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
        Path userDir = store.bankFile("alice").getParent();
        try (ChildJvm other = ChildJvm.start(LockHolder.class, Map.of(), userDir.toString())) {
            other.await("locked", Duration.ofSeconds(30));
            CompletableFuture<Void> save = CompletableFuture.runAsync(() -> store.save("alice", newer));
            Thread.sleep(500);
            assertFalse(save.isDone(), "the save must wait for the other process's lock");
            Banks.assertSame(old, store.load("alice").orElseThrow());

            other.closeInput(); // the other process releases the lock and exits
            save.get(30, TimeUnit.SECONDS);
            Banks.assertSame(newer, store.load("alice").orElseThrow());
        }
    }
}
