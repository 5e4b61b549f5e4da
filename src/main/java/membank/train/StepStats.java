package membank.train;

import java.util.Map;

/**
 * What one optimizer step did; {@code skipped} when the loss or gradient was not finite.
 * {@code loss} is the LM loss alone; {@code router} holds router losses, entropy and chapter
 * usage when the model has routed memory (empty otherwise).
 */
public record StepStats(int step, double loss, double gradNorm, double lrFactor, long tokens, boolean skipped,
                        Map<String, Object> router) {
}
