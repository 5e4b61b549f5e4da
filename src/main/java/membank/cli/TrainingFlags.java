package membank.cli;

import java.util.ArrayList;
import java.util.List;

/** The convenience flags of train, adapt and compare-adapters: {@code training.*} assignments under another name. */
final class TrainingFlags {
    private TrainingFlags() {
    }

    /** {@code assignments} followed by those that {@code --steps}, {@code --precision} and {@code --seed} stand for. */
    static List<String> with(List<String> assignments, Integer steps, String precision, Long seed) {
        List<String> all = new ArrayList<>(assignments);
        if (steps != null) {
            all.add("training.steps=" + steps);
        }
        if (precision != null) {
            all.add("training.precision=" + precision);
        }
        if (seed != null) {
            all.add("training.seed=" + seed);
        }
        return all;
    }
}
