package membank.testing;

import java.io.IOException;
import java.nio.file.Path;

import membank.util.DirectoryLock;

/** A second process for lock tests: holds the directory it is given, says so, and keeps it until stdin closes. */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
        try (DirectoryLock lock = DirectoryLock.acquire(Path.of(args[0]))) {
            System.out.println(ChildJvm.MARK + "locked pid=" + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the test closes our stdin
            }
        }
    }
}
