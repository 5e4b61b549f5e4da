package membank.experiment;

import java.util.List;

/**
 * A parsed experiment file: a base configuration (a preset and overrides; it must be a memory
 * model trained on the knowledge set), the arms, the two phases, the seeds, and how many
 * validation batches each evaluation reads. {@link ExperimentJson} reads and validates it.
 */
public record Experiment(String name, String preset, List<String> baseSet, List<Arm> arms, Phase pretrain,
                         Phase instruct, List<Long> seeds, int evalBatches) {
    public Experiment {
        baseSet = List.copyOf(baseSet);
        arms = List.copyOf(arms);
        seeds = List.copyOf(seeds);
    }

    public List<Phase> phases() {
        return List.of(pretrain, instruct);
    }

    public Arm arm(String name) {
        return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
}
