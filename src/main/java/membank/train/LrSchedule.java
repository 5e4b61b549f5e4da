package membank.train;

import membank.config.TrainConfig;

/**
 * Learning-rate multiplier per step: linear warmup, then cosine decay to {@code minLrRatio}, or
 * warmup-stable-decay (constant until the last {@code decayFraction} of steps, then linear decay),
 * or constant.
 */
record LrSchedule(TrainConfig.Schedule kind, int warmupSteps, int totalSteps, double minLrRatio, double decayFraction) {

    static LrSchedule of(TrainConfig t) {
        return new LrSchedule(t.schedule(), t.warmupSteps(), t.steps(), t.minLrRatio(), t.decayFraction());
    }

    /** Multiplier for the update made at 0-based {@code step}. */
    double factor(int step) {
        if (step < warmupSteps) {
            return (step + 1) / (double) warmupSteps;
        }
        return switch (kind) {
            case COSINE -> cosine(step);
            case WSD -> warmupStableDecay(step);
            case CONSTANT -> 1.0;
        };
    }

    private double cosine(int step) {
        int span = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) span);
        return minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    private double warmupStableDecay(int step) {
        int decaySteps = Math.max(1, (int) Math.round(totalSteps * decayFraction));
        int decayStart = totalSteps - decaySteps;
        if (step < decayStart) {
            return 1.0;
        }
        double progress = Math.min(1.0, (step - decayStart + 1) / (double) decaySteps);
        return 1.0 - (1 - minLrRatio) * progress;
    }
}
