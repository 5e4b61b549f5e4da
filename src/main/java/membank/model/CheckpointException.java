package membank.model;

/**
 * A checkpoint file is missing, truncated, corrupt or does not fit the model. The message names the
 * file (and tensor where there is one) and says what to do, because it is shown to the user as is.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
