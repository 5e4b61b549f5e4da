package membank.experiment;

import membank.config.ModelConfig;

/**
 * A plain transformer (no memory) proposed as a baseline, with what it was matched on (training
 * FLOPs per token for an iso-FLOP baseline, parameters for an iso-parameter one) and that
 * measure's ratio to the memory model's.
 */
public record BaselineCandidate(BaselineKind kind, ModelConfig config, double measured, double ratio) {
    /** How far the ratio is from 1, as a fraction. */
    public double deviation() {
        return Math.abs(ratio - 1);
    }

    public boolean within(double tolerance) {
        return deviation() <= tolerance;
    }
}
