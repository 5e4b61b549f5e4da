package membank.train;

import java.util.HashSet;
import java.util.List;

/**
 * What {@code compare-adapters} runs: every method, at every budget (a multiple of {@code steps}),
 * for every seed. The seed sets the added weights' initialisation and the data order; the base is
 * the same for every seed.
 *
 * @param steps optimizer steps at budget 1 (every method trains the same tokens per step)
 * @param chapters the chapters block of {@code memory-routed} (JSON), ignored by the other methods
 */
public record ComparisonPlan(List<ComparisonMethod> methods, List<Long> seeds, List<Integer> budgets, int steps,
                             String chapters) {
    public ComparisonPlan {
        methods = List.copyOf(methods);
        seeds = List.copyOf(seeds);
        budgets = List.copyOf(budgets);
        if (methods.isEmpty() || new HashSet<>(methods).size() != methods.size()) {
            throw new IllegalArgumentException("--methods " + names(methods) + ": name each method once, at least one");
        }
        if (seeds.isEmpty() || new HashSet<>(seeds).size() != seeds.size()) {
            throw new IllegalArgumentException("--seeds " + seeds + ": give distinct seeds, at least one (e.g. --seeds 0,1,2)");
        }
        if (budgets.isEmpty() || new HashSet<>(budgets).size() != budgets.size() || budgets.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--budgets " + budgets + ": give distinct positive multiples of --steps"
                    + " (e.g. --budgets 1,2,4)");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("--steps " + steps + ": must be a positive number of optimizer steps");
        }
    }

    /** Optimizer steps at {@code budget} times the base budget. */
    int stepsAt(int budget) {
        return steps * budget;
    }

    private static String names(List<ComparisonMethod> methods) {
        return String.join(",", methods.stream().map(ComparisonMethod::cliName).toList());
    }
}
