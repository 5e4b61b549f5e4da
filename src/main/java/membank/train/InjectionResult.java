package membank.train;

import java.nio.file.Path;

import com.fasterxml.jackson.annotation.JsonIgnore;

import membank.util.ResultsFile;

/**
 * One measured unit of {@code compare-adapters}: a method on a base, at a budget, for a seed; or
 * the base itself ({@code method} "base", budget 0). Recalls are shares of probes answered exactly.
 *
 * @param base "plain" or "memory": the kind of base the method ran on
 * @param newSeen recall of the new facts in the wordings training used
 * @param newHeldout recall of the new facts in wordings training never used
 * @param baseRecall recall of the base's own facts (training-style wordings) after adapting
 * @param knownKept of the base's facts the base recalled, the share still recalled after adapting
 * @param baseLoss loss on the base's own validation data after adapting
 * @param storedBytes safetensors the method wrote (0 for the base)
 * @param trainTokensPerSecond null for the base, which trains nothing
 */
public record InjectionResult(String method, String base, int budget, long seed, int steps, long tokens, long trainable,
                              long storedBytes, double newSeen, double newHeldout, double baseRecall, double knownKept,
                              double baseLoss, Double trainTokensPerSecond, double generationTokensPerSecond) {
    public static final String BASE = "base";

    /**
     * {@code DIR/results.jsonl} of a {@code compare-adapters} directory: one result a line, in the
     * order units finished; a rerun skips the units already measured.
     */
    public static ResultsFile<InjectionResult> results(Path dir) {
        return ResultsFile.in(dir, "a compare-adapters result", ResultsFile.bound(InjectionResult.class));
    }

    /** Whether this is the row of the unadapted base. */
    @JsonIgnore
    public boolean isBase() {
        return BASE.equals(method);
    }

    /** Whether this result is the unit of {@code method} on {@code base} at {@code budget} for {@code seed}. */
    boolean isUnit(String method, String base, int budget, long seed) {
        return this.method.equals(method) && this.base.equals(base) && this.budget == budget && this.seed == seed;
    }
}
