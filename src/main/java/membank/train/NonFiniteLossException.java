package membank.train;

/** Training stopped because the loss stayed NaN or infinite for too many steps in a row. */
public final class NonFiniteLossException extends RuntimeException {
    NonFiniteLossException(String message) {
        super(message);
    }
}
