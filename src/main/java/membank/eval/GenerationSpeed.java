package membank.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;


import membank.model.GenerationOptions;
import membank.model.Generator;
import membank.model.MemoryLM;
import membank.nn.Scope;

/** Greedy generation speed at batch 1: prefill, then one token at a time with caches. */
public final class GenerationSpeed {
    public record Result(String label, int tokens, double tokensPerSecond) {
        public double msPerToken() {
            return 1000 / tokensPerSecond;
        }
    }

    private GenerationSpeed() {
    }

    /**
     * Median tokens/s of each model over {@code repeats} runs of {@code tokens} new tokens after
     * {@code prompt}. The models take turns, after a warm-up round, so that a slow moment of the
     * machine (or the JIT) is not charged to one model alone.
     */
    public static List<Result> compare(Map<String, MemoryLM> models, long[] prompt, int tokens, int repeats) {
        List<String> labels = new ArrayList<>(models.keySet());
        double[][] speeds = new double[labels.size()][repeats];
        int n = tokens;
        for (MemoryLM model : models.values()) {
            model.train(false);
            n = Math.min(n, new Generator(model).maxNewTokens(prompt.length, tokens));
        }
        try (Scope ignored = Scope.noGrad()) {
            for (int r = -1; r < repeats; r++) {
                for (int m = 0; m < labels.size(); m++) {
                    double speed = tokensPerSecond(models.get(labels.get(m)), prompt, n);
                    if (r >= 0) {
                        speeds[m][r] = speed;
                    }
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (int m = 0; m < labels.size(); m++) {
            Arrays.sort(speeds[m]);
            results.add(new Result(labels.get(m), n, speeds[m][repeats / 2]));
        }
        return results;
    }

    private static double tokensPerSecond(MemoryLM model, long[] prompt, int tokens) {
        try (Scope scope = Scope.tensors()) {
            long began = System.nanoTime();
            int made = new Generator(model).generate(prompt, GenerationOptions.greedy(tokens), id -> { }).length;
            return made / ((System.nanoTime() - began) / 1e9);
        }
    }
}
