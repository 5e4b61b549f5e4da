package membank.model;

import java.util.OptionalLong;

/**
 * How {@link Generator} continues a prompt: at most {@code maxTokens} new tokens, sampled at
 * {@code temperature} (0 = greedy) from the nucleus of probability {@code topP}, with a
 * {@link java.util.Random} seeded by {@code seed}; generation ends early at {@code stopId}.
 */
public record GenerationOptions(int maxTokens, double temperature, double topP, long seed, OptionalLong stopId) {

    public GenerationOptions {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1] (1 = no nucleus filtering), got " + topP);
        }
        if (stopId == null) {
            throw new IllegalArgumentException("stopId must be OptionalLong.empty() rather than null");
        }
    }

    /** Argmax decoding, no stop token. */
    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(maxTokens, 0, 1, 0, OptionalLong.empty());
    }

    public boolean isStop(long id) {
        return stopId.isPresent() && stopId.getAsLong() == id;
    }
}
