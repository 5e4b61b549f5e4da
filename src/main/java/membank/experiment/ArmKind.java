package membank.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an arm of an experiment trains: the memory model; the plain transformer that costs as
 * many training FLOPs per token; the plain transformer with as many parameters (bank included);
 * the memory model's backbone alone; the memory model with its bank frozen in the instruct phase,
 * or its bank and memory key/value projections; the memory model with bank and memory layers at
 * the base learning rate in every phase. docs/experiments.md explains what each answers.
 */
public enum ArmKind {
    MEMORY, ISO_FLOP, ISO_PARAM, BACKBONE, FROZEN_BANK, FROZEN_BANK_KV, EQUAL_LR;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(ArmKind::label).toList();
    }

    /** Null when {@code label} names no kind. */
    static ArmKind ofOrNull(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst().orElse(null);
    }

    /** Whether the arm's model has the memory of the experiment's base configuration. */
    boolean hasMemory() {
        return this != ISO_FLOP && this != ISO_PARAM && this != BACKBONE;
    }

    /** Whether the arm is a plain transformer sized to match the memory model. */
    boolean isMatchedBaseline() {
        return this == ISO_FLOP || this == ISO_PARAM;
    }
}
