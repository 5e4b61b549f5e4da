package membank.experiment;

import membank.config.ModelConfig;

/**
 * A plain transformer (no memory) proposed as a baseline, with its training FLOPs per token and
 * their ratio to the memory model's.
 */
public record BaselineCandidate(BaselineKind kind, ModelConfig config, double trainFlopsPerToken, double ratio) {
    /** How far the ratio is from 1, as a fraction. */
    public double deviation() {
        return Math.abs(ratio - 1);
    }

    public boolean within(double tolerance) {
        return deviation() <= tolerance;
    }
}
