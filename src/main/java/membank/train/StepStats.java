package membank.train;

/** What one optimizer step did; {@code skipped} when the loss or gradient was not finite. */
public record StepStats(int step, double loss, double gradNorm, double lrFactor, long tokens, boolean skipped) {
}
