package membank.experiment;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.Overrides;
import membank.config.Presets;
import membank.config.RunConfig;
import membank.config.TrainConfig;

/**
 * The configuration tree of each (arm, phase, seed): the base (preset and overrides), made into
 * the arm's model, then the phase's training block. Order of overrides: base, arm, phase.
 */
final class ArmConfigs {
    private ArmConfigs() {
    }

    static ObjectNode baseTree(String preset, List<String> set) {
        ObjectNode tree = Presets.load(preset);
        Overrides.apply(tree, set);
        return tree;
    }

    /**
     * The arm's configuration before any phase: the base for memory arms, the base without its
     * membank block for the backbone, the sized plain transformer for iso-FLOP (sized at the base's
     * seq_len and batch_size), each with the arm's overrides applied last.
     */
    static ObjectNode model(Arm arm, ObjectNode base) {
        ObjectNode tree = base.deepCopy();
        if (arm.kind() == ArmKind.BACKBONE) {
            tree.remove("membank");
        } else if (arm.kind() == ArmKind.ISO_FLOP) {
            RunConfig memory = RunConfig.parse(base);
            TrainConfig t = memory.training();
            var baseline = IsoFlopBaseline.size(memory.model(), t.seqLen(), t.batchSize()).choose(arm.baseline());
            tree = new RunConfig(baseline.config(), t).toJson();
        }
        Overrides.apply(tree, arm.set());
        RunConfig.parse(tree);
        return tree;
    }

    /**
     * The run configuration of one phase: steps, learning rates and seed from the phase (the
     * equal-lr arm drops the per-group rates), the instruct phase's data from {@code instructData},
     * then the phase's own overrides.
     */
    static RunConfig phase(Arm arm, ObjectNode armTree, Phase phase, long seed, InstructFile instructData) {
        ObjectNode tree = armTree.deepCopy();
        ObjectNode training = tree.with("training");
        training.put("steps", phase.steps());
        training.put("lr", phase.lr());
        boolean equal = arm.kind() == ArmKind.EQUAL_LR;
        putNullable(training, "bank_lr", equal ? null : phase.bankLr());
        putNullable(training, "memory_lr", equal ? null : phase.memoryLr());
        training.put("seed", seed);
        if (Phase.INSTRUCT.equals(phase.name())) {
            ObjectNode data = training.with("data");
            String tokenizer = data.path("tokenizer").asText("byte");
            data.removeAll();
            data.put("kind", "jsonl").put("path", instructData.path().toAbsolutePath().toString()).put("tokenizer", tokenizer)
                    .put("val_fraction", instructData.valFraction(training.path("batch_size").asInt(16),
                            training.path("seq_len").asInt(128)));
        }
        Overrides.apply(tree, phase.set());
        return RunConfig.parse(tree);
    }

    /**
     * The instruct phase's data file: its lines and their mean length in characters, so the held-out
     * share can be sized to fill at least one validation batch (the run's own evaluation needs one).
     */
    record InstructFile(Path path, int lines, double meanChars) {
        /** At least 5%, enough lines for 1.5 batches of characters (about tokens, for the byte tokenizer), at most half. */
        double valFraction(int batchSize, int seqLen) {
            double needed = Math.ceil(1.5 * batchSize * (seqLen + 1) / Math.max(1, meanChars));
            return Math.min(0.5, Math.max(0.05, needed / lines));
        }
    }

    /** Whether the phase trains this arm with its bank frozen. */
    static boolean freezesBank(Arm arm, Phase phase) {
        return arm.kind().hasMemory() && (phase.freezeBank()
                || (arm.kind() == ArmKind.FROZEN_BANK && Phase.INSTRUCT.equals(phase.name())));
    }

    private static void putNullable(ObjectNode node, String key, Double value) {
        if (value == null) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
