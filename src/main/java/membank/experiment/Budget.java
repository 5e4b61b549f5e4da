package membank.experiment;

import java.util.Locale;

/**
 * How long a phase trains: a number of optimizer steps; how many times each training document
 * (on the knowledge set, each person's facts) is seen, whole epochs; or a number of training FLOPs,
 * so arms of different cost per token train at equal compute. {@code minSteps} (0: none) raises a
 * budget that makes fewer steps: a small corpus seen 100 times is only a few steps, too few for a
 * model to learn the language its facts are written in, let alone the facts.
 */
public record Budget(Kind kind, double value, int minSteps) {
    public enum Kind {
        STEPS("steps"), EXPOSURES("exposures"), FLOPS("flops");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public static Budget steps(int steps) {
        return new Budget(Kind.STEPS, steps, 0);
    }

    /** The steps that spend this budget: {@code tokensNeeded} for exposures, {@code flopsPerToken} for FLOPs. */
    int steps(long tokensPerStep, java.util.function.LongSupplier tokensNeeded, double flopsPerToken) {
        double steps = switch (kind) {
            case STEPS -> value;
            case EXPOSURES -> Math.ceil(tokensNeeded.getAsLong() / (double) tokensPerStep);
            case FLOPS -> Math.round(value / (flopsPerToken * tokensPerStep));
        };
        steps = Math.max(steps, minSteps);
        if (steps < 1 || steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a budget of %s makes %.0f steps of %,d tokens:"
                    + " it must make between 1 and %,d", describe(), steps, tokensPerStep, Integer.MAX_VALUE));
        }
        return (int) steps;
    }

    String describe() {
        String budget = switch (kind) {
            case STEPS -> String.format(Locale.ROOT, "%,d steps", (long) value);
            case EXPOSURES -> String.format(Locale.ROOT, "%,d exposures per fact", (long) value);
            case FLOPS -> String.format(Locale.ROOT, "%.3g training FLOPs", value);
        };
        return minSteps > 0 ? budget + String.format(Locale.ROOT, ", at least %,d steps", minSteps) : budget;
    }
}
