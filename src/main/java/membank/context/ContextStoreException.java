package membank.context;

/**
 * A stored context bank cannot be read, written or used: the file is corrupt, truncated, of another
 * format or width, or the disk refused a write. The message names the user, the file, what is wrong
 * and what to do, because it is shown to the user as is.
 */
public class ContextStoreException extends RuntimeException {

    public ContextStoreException(String message) {
        super(message);
    }

    public ContextStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
