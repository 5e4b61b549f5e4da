package membank.experiment;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.DataConfig;
import membank.config.Overrides;
import membank.config.Presets;
import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.model.MemoryFreeze;

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
     * seq_len and batch_size) and iso-param, each with the arm's overrides applied last.
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
        } else if (arm.kind() == ArmKind.ISO_PARAM) {
            RunConfig memory = RunConfig.parse(base);
            tree = new RunConfig(IsoParamBaseline.size(memory.model()).choose(arm.baseline()).config(), memory.training()).toJson();
        }
        Overrides.apply(tree, arm.set());
        RunConfig.parse(tree);
        return tree;
    }

    /**
     * The run configuration of one phase: {@code steps}, learning rates and seed from the phase (the
     * equal-lr arm drops the per-group rates), the instruct phase's data from {@code instructData},
     * then the phase's own overrides. The tree is parsed once first, so a vocabulary the pretraining
     * tokenizer implies (the word tokenizer's) is written out before the instruct data replaces it.
     */
    static RunConfig phase(Arm arm, ObjectNode armTree, Phase phase, long seed, InstructFile instructData, int steps) {
        ObjectNode tree = RunConfig.parse(armTree).toJson();
        ObjectNode training = tree.with("training");
        training.put("steps", steps);
        training.put("lr", phase.lr());
        boolean equal = arm.kind() == ArmKind.EQUAL_LR;
        putNullable(training, "bank_lr", equal ? null : phase.bankLr());
        putNullable(training, "memory_lr", equal ? null : phase.memoryLr());
        training.put("seed", seed);
        if (Phase.INSTRUCT.equals(phase.name())) {
            ObjectNode data = training.with("data");
            String tokenizer = DataConfig.WORD.equals(data.path("tokenizer").asText()) ? instructData.wordTokenizer().toString()
                    : data.path("tokenizer").asText("byte");
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
     * share can be sized to fill at least one validation batch (the run's own evaluation needs one);
     * and the word tokenizer's tokenizer.json written beside it, which reads it when pretraining used
     * that tokenizer (as "word" it would only take the knowledge set).
     */
    record InstructFile(Path path, int lines, double meanChars, Path wordTokenizer) {
        /** At least 5%, enough lines for 1.5 batches of characters (about tokens, for the byte tokenizer), at most half. */
        double valFraction(int batchSize, int seqLen) {
            double needed = Math.ceil(1.5 * batchSize * (seqLen + 1) / Math.max(1, meanChars));
            return Math.min(0.5, Math.max(0.05, needed / lines));
        }
    }

    /** What of the memory the phase keeps frozen for this arm. */
    static MemoryFreeze freezeOf(Arm arm, Phase phase) {
        if (!arm.kind().hasMemory()) {
            return MemoryFreeze.NONE;
        }
        boolean instruct = Phase.INSTRUCT.equals(phase.name());
        if (arm.kind() == ArmKind.FROZEN_BANK_KV && instruct) {
            return MemoryFreeze.BANK_KV;
        }
        return phase.freezeBank() || (arm.kind() == ArmKind.FROZEN_BANK && instruct) ? MemoryFreeze.BANK : MemoryFreeze.NONE;
    }

    private static void putNullable(ObjectNode node, String key, Double value) {
        if (value == null) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
