package membank.model;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from a row of logits, in plain Java so that a seed gives the same tokens on
 * every machine: argmax at temperature 0, otherwise softmax(logits / T) restricted to the nucleus
 * (the fewest most-probable tokens whose probability adds up to at least top-p), then one draw.
 */
final class Sampler {
    private final double temperature;
    private final double topP;
    private final Random random;

    Sampler(double temperature, double topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new Random(seed);
    }

    int next(float[] logits) {
        if (temperature == 0) {
            return argmax(logits);
        }
        float[] probs = softmax(logits, temperature);
        return draw(probs, nucleus(probs, topP));
    }

    /** The index of the largest logit; the first one on ties. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        requireFinite(logits[best]);
        return best;
    }

    /** Probabilities of logits / temperature, computed in double after subtracting the maximum. */
    static float[] softmax(float[] logits, double temperature) {
        float max = logits[argmax(logits)];
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp((logits[i] - max) / temperature);
            sum += e[i];
        }
        if (Double.isNaN(sum)) {
            requireFinite(Float.NaN);
        }
        float[] probs = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probs[i] = (float) (e[i] / sum);
        }
        return probs;
    }

    /**
     * The indices of the smallest set of most probable tokens whose probabilities sum to at least
     * {@code topP}, most probable first (lower index first on ties); never empty.
     */
    static int[] nucleus(float[] probs, double topP) {
        int[] order = byDescendingProbability(probs);
        double cumulative = 0;
        int kept = 0;
        while (kept < order.length) {
            cumulative += probs[order[kept++]];
            if (cumulative >= topP) {
                break;
            }
        }
        return Arrays.copyOf(order, kept);
    }

    /**
     * Sorts primitive keys instead of boxed indices (vocabularies reach 150k entries, sorted once per
     * token): for non-negative floats the bit pattern orders like the value, and the complemented
     * index in the low half makes lower indices win ties.
     */
    private static int[] byDescendingProbability(float[] probs) {
        long[] keys = new long[probs.length];
        for (int i = 0; i < probs.length; i++) {
            keys[i] = ((long) Float.floatToIntBits(probs[i]) << 32) | (~i & 0xffffffffL);
        }
        Arrays.sort(keys);
        int[] order = new int[probs.length];
        for (int r = 0; r < keys.length; r++) {
            order[r] = ~(int) keys[keys.length - 1 - r];
        }
        return order;
    }

    /** One draw among {@code candidates}, in proportion to their (renormalised) probabilities. */
    private int draw(float[] probs, int[] candidates) {
        double mass = 0;
        for (int c : candidates) {
            mass += probs[c];
        }
        double target = random.nextDouble() * mass;
        for (int c : candidates) {
            target -= probs[c];
            if (target < 0) {
                return c;
            }
        }
        // rounding can leave target a hair above zero: the last candidate is then the draw
        return candidates[candidates.length - 1];
    }

    private static void requireFinite(float logit) {
        if (!Float.isFinite(logit)) {
            throw new IllegalStateException("the model produced a non-finite logit (" + logit
                    + "); the weights may be corrupt or the run diverged");
        }
    }
}
