package membank.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an arm of an experiment trains: the memory model; the plain transformer that costs as
 * many training FLOPs per token; the memory model's backbone alone; the memory model with its bank
 * frozen in the instruct phase; the memory model with bank and memory layers at the base learning
 * rate in every phase. docs/experiments.md explains what each answers.
 */
public enum ArmKind {
    MEMORY, ISO_FLOP, BACKBONE, FROZEN_BANK, EQUAL_LR;

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
        return this != ISO_FLOP && this != BACKBONE;
    }
}
