package membank.train;

import java.nio.file.Path;

/**
 * A failure after training finished and its result was saved (the final evaluation, a merged copy,
 * a report or a plot): the message says first where the trained model or adapter is, so nothing
 * trained is lost to what came after.
 */
public final class AfterTrainingException extends RuntimeException {
    private final Path saved;

    /**
     * @param what "model", "adapter" or "models"
     * @param step what failed, e.g. "the evaluation"
     */
    public AfterTrainingException(String what, Path saved, String step, RuntimeException cause) {
        super("training finished and the " + what + (what.endsWith("s") ? " are" : " is") + " saved in " + saved + "; " + step + " afterwards failed: "
                + cause.getMessage(), cause);
        this.saved = saved;
    }

    /** Where the trained result is. */
    public Path saved() {
        return saved;
    }
}
