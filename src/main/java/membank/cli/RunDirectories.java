package membank.cli;

import java.nio.file.Path;

import membank.util.DirectoryLock;

/**
 * The directory a command writes is held for the whole command: two writers of one run would
 * overwrite and prune each other's checkpoints, so the second is refused at once, naming the first.
 */
final class RunDirectories {
    private RunDirectories() {
    }

    /** Holds an output directory (train, adapt, compare-adapters, context train, experiment run, demo). */
    static DirectoryLock lockOut(Path dir) {
        return DirectoryLock.tryAcquire(dir, "wait for it to finish or choose another --out");
    }

    /** Holds a run directory that is resumed. */
    static DirectoryLock lockResumed(Path dir) {
        return DirectoryLock.tryAcquire(dir, "wait for it to finish before resuming " + dir);
    }
}
