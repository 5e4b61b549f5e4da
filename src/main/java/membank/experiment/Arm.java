package membank.experiment;

import java.util.List;

/**
 * One arm: a label unique in the experiment, its kind, {@code --set}-style overrides applied after
 * the base's, and for {@link ArmKind#ISO_FLOP} how the baseline spends the memory's FLOPs.
 */
public record Arm(String name, ArmKind kind, List<String> set, BaselineKind baseline) {
    public Arm {
        set = List.copyOf(set);
    }
}
