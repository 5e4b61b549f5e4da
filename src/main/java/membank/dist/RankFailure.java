package membank.dist;

/**
 * A data-parallel job that cannot go on: a peer died, never arrived, or stopped answering within
 * the timeout. The message names this rank, what it was doing and, where known, the rank lost.
 */
public final class RankFailure extends RuntimeException {
    RankFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
