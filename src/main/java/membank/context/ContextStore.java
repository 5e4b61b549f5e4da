package membank.context;

import java.util.List;
import java.util.Optional;

/**
 * Where users' context banks persist between conversations: one bank per user id, never shared.
 * {@link FileContextStore} keeps them in files; a server could back the same seam with a database.
 *
 * <p>User ids are 1 to 128 characters from {@code A-Z a-z 0-9 . _ @ -}, starting with a letter or
 * digit; other ids are refused with {@link IllegalArgumentException}. Problems with stored data are
 * {@link ContextStoreException}s.
 */
public interface ContextStore {

    /** The user's bank, or empty when the user has none; a bank that fails verification is refused, never half-loaded. */
    Optional<ContextBank> load(String user);

    /**
     * The user's bank, or a new empty one of width {@code dim} (not saved until {@link #save}).
     *
     * @throws ContextStoreException when the stored bank has another width (another model made it)
     */
    default ContextBank loadOrCreate(String user, int dim) {
        Optional<ContextBank> stored = load(user);
        if (stored.isEmpty()) {
            return new ContextBank(dim);
        }
        ContextBank bank = stored.get();
        if (bank.dim() != dim) {
            throw new ContextStoreException("the context bank of user '" + user + "' in " + describe()
                    + " holds vectors of width " + bank.dim() + ", but this model needs width " + dim
                    + ": the bank was made with another model; use that model, or remove the bank with"
                    + " `membank context forget --user " + user + "`");
        }
        return bank;
    }

    /**
     * Replaces the user's bank with {@code bank}, atomically: after a crash the store holds the old
     * bank or the new one, complete. The bank must not change while it is being saved.
     */
    void save(String user, ContextBank bank);

    /** Removes the user's bank; false when there was none. */
    boolean delete(String user);

    /** The users that have a bank, sorted. */
    List<String> users();

    /** Where the banks are kept, for messages (e.g. "files under /srv/membank/context"). */
    String describe();
}
