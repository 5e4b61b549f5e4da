package membank.context;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import membank.util.AtomicFile;
import membank.util.DirectoryLock;

/**
 * Context banks as files: {@code ROOT/USER/bank.safetensors} (format in {@link BankFormat}), one
 * directory per user, so two users' banks never share a file.
 *
 * <p>Guarantees: a save writes a temporary sibling, fsyncs it, renames it over the bank and fsyncs
 * the directory, so a crash leaves the old bank or the new one, whole; a temporary file a crash
 * left behind is ignored by readers and removed by the user's next save or delete. A load verifies
 * format, owner, shapes and checksum before any bank exists.
 *
 * <p>Writers: a save or delete holds the user's directory lock ({@link DirectoryLock} on
 * {@code ROOT/USER/.lock}), so two threads or processes never interleave their writes of one
 * user's bank (readers need no lock: the rename shows them one whole file).
 */
public final class FileContextStore implements ContextStore {
    static final String BANK_FILE = "bank.safetensors";
    static final String LOCK_FILE = DirectoryLock.FILE;

    private final Path root;
    private final AtomicFile.BeforeRename beforeRename;

    public FileContextStore(Path root) {
        this(root, AtomicFile.BeforeRename.NOTHING);
    }

    /** For tests: {@code beforeRename} runs between writing a bank's temporary file and renaming it into place. */
    FileContextStore(Path root, AtomicFile.BeforeRename beforeRename) {
        this.root = root.toAbsolutePath().normalize();
        this.beforeRename = beforeRename;
    }

    public Path root() {
        return root;
    }

    /** Where the user's bank is (or would be) stored. */
    public Path bankFile(String user) {
        return userDirectory(user).resolve(BANK_FILE);
    }

    /** The user's bank as its header describes it (data not read, checksum not verified); empty when there is none. */
    public Optional<StoredBank> stored(String user) {
        Path file = bankFile(user);
        return Files.isRegularFile(file) ? Optional.of(BankFormat.describe(file, user)) : Optional.empty();
    }

    @Override
    public Optional<ContextBank> load(String user) {
        Path file = bankFile(user);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(BankFormat.read(file, user));
        } catch (ContextStoreException e) {
            if (!Files.exists(file)) {
                return Optional.empty(); // deleted while we read it
            }
            throw e;
        }
    }

    @Override
    public void save(String user, ContextBank bank) {
        Path file = bankFile(user);
        try {
            Files.createDirectories(file.getParent());
            withWriteLock(user, () -> {
                removeLeftovers(file);
                AtomicFile.write(file, channel -> BankFormat.write(channel, file.toString(), user, bank), beforeRename);
                return null;
            });
        } catch (IOException e) {
            throw new ContextStoreException("cannot save the context bank of user '" + user + "' to " + file + " (" + e
                    + "); the bank saved before, if any, is unchanged; check the disk and the permissions of " + root, e);
        }
    }

    @Override
    public boolean delete(String user) {
        Path file = bankFile(user);
        if (!Files.isDirectory(file.getParent())) {
            return false;
        }
        try {
            return withWriteLock(user, () -> {
                boolean existed = Files.deleteIfExists(file);
                removeLeftovers(file);
                return existed;
            });
        } catch (IOException e) {
            throw new ContextStoreException("cannot delete the context bank of user '" + user + "' at " + file
                    + " (" + e + "); check the permissions of " + file.getParent(), e);
        }
    }

    @Override
    public List<String> users() {
        List<String> users = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return users;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (isUserId(name) && Files.isRegularFile(entry.resolve(BANK_FILE))) {
                    users.add(name);
                }
            }
        } catch (IOException e) {
            throw new ContextStoreException("cannot list the context banks in " + root + " (" + e + ")", e);
        }
        users.sort(null);
        return users;
    }

    @Override
    public String describe() {
        return "files under " + root;
    }

    private Path userDirectory(String user) {
        return root.resolve(UserIds.check(user));
    }

    private static boolean isUserId(String name) {
        try {
            UserIds.check(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Nobody else writes this user's files while we hold the lock, so every temporary file is a crash's leftover. */
    private static void removeLeftovers(Path file) throws IOException {
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(file.getParent())) {
            for (Path sibling : siblings) {
                if (AtomicFile.isTemporaryOf(sibling, file)) {
                    Files.deleteIfExists(sibling);
                }
            }
        }
    }

    private interface LockedWork<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding the user's directory lock, waiting for another writer to finish. */
    private <T> T withWriteLock(String user, LockedWork<T> work) throws IOException {
        try (DirectoryLock held = DirectoryLock.acquire(userDirectory(user))) {
            return work.run();
        }
    }
}
