package membank.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * Forgetting of one arm: per seed, recall of the pretrained facts after the instruct phase minus
 * recall after pretraining. Negative means facts were lost; 0 means none; positive, recall rose.
 */
public final class Forgetting {
    private Forgetting() {
    }

    public static double of(double recallAfterPretrain, double recallAfterInstruct) {
        return recallAfterInstruct - recallAfterPretrain;
    }

    /** One value per seed of {@code arm} at sweep point {@code point} that has both phases measured, in seed order of the results. */
    public static List<Double> perSeed(List<UnitResult> results, String point, String arm) {
        List<Double> out = new ArrayList<>();
        for (UnitResult before : results) {
            if (!before.point().equals(point) || !before.arm().equals(arm) || !before.phase().equals(Phase.PRETRAIN)) {
                continue;
            }
            results.stream().filter(r -> r.is(point, arm, before.seed(), Phase.INSTRUCT)).findFirst()
                    .ifPresent(after -> out.add(of(before.recall(), after.recall())));
        }
        return out;
    }
}
