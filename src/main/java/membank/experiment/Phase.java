package membank.experiment;

import java.util.List;

/**
 * One training phase: its budget, base learning rate, the learning rates of the bank and the
 * memory layers (null: the base rate), whether the bank is frozen, and {@code --set}-style
 * {@code training.*} overrides. {@code entities} is the instruct phase's number of people asked
 * about (0 for pretraining).
 */
public record Phase(String name, Budget budget, double lr, Double bankLr, Double memoryLr, boolean freezeBank,
                    int entities, List<String> set) {
    public static final String PRETRAIN = "pretrain";
    public static final String INSTRUCT = "instruct";

    public Phase {
        set = List.copyOf(set);
    }
}
