package membank.experiment;

import java.util.List;

/**
 * A parsed experiment file: a base configuration (a preset and overrides; a memory model), what
 * the experiment sweeps ({@link Sweep#NONE} when nothing), the arms, the pretraining phase and the
 * instruct phase (null when the experiment has only pretraining), the seeds, and how many
 * validation batches each evaluation reads. {@link ExperimentJson} reads and validates it.
 */
public record Experiment(String name, String preset, List<String> baseSet, Sweep sweep, List<Arm> arms, Phase pretrain,
                         Phase instruct, List<Long> seeds, int evalBatches) {
    public Experiment {
        baseSet = List.copyOf(baseSet);
        arms = List.copyOf(arms);
        seeds = List.copyOf(seeds);
    }

    public List<Phase> phases() {
        return instruct == null ? List.of(pretrain) : List.of(pretrain, instruct);
    }

    /** The base's overrides followed by the sweep point's. */
    public List<String> baseSet(Sweep.Point point) {
        return point.after(baseSet);
    }

    public Arm arm(String name) {
        return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }

    /** Every (point, arm, seed, phase) the experiment measures. */
    public int units() {
        return sweep.points().size() * arms.size() * seeds.size() * phases().size();
    }
}
