package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Forgetting per seed, spreads over seeds and the verdict rule. */
class ForgettingTest {
    private static UnitResult result(String arm, long seed, String phase, double recall) {
        return new UnitResult("", arm, "memory", seed, phase, "m", 1, 1, 1, 1, 1.0, Double.NaN, recall, 0, 0, 0, Double.NaN, 1, 1, 1, 1);
    }

    @Test
    void forgettingIsRecallAfterInstructMinusAfterPretrain() {
        assertEquals(-0.25, Forgetting.of(0.75, 0.5), 1e-12);
        List<UnitResult> results = List.of(result("m", 0, Phase.PRETRAIN, 0.8), result("m", 0, Phase.INSTRUCT, 0.6),
                result("m", 1, Phase.PRETRAIN, 0.5), result("m", 1, Phase.INSTRUCT, 0.55),
                result("m", 2, Phase.PRETRAIN, 0.9), result("other", 0, Phase.INSTRUCT, 0.1));
        List<Double> f = Forgetting.perSeed(results, "", "m");
        assertEquals(2, f.size(), "seed 2 has no instruct result");
        assertEquals(-0.2, f.get(0), 1e-12);
        assertEquals(0.05, f.get(1), 1e-12);
    }

    @Test
    void spreadIsTheSampleStandardDeviation() {
        Spread s = Spread.of(List.of(1.0, 2.0, 3.0, 4.0));
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), s.std(), 1e-12);
        assertEquals(1.0, s.min());
        assertEquals(4.0, s.max());
        assertEquals(0.0, Spread.of(List.of(7.0)).std());
        assertEquals("2.50 ± 1.29", s.format("%.2f"));
    }

    @Test
    void verdictNeedsADifferenceBeyondTheSpread() {
        Spread memory = Spread.of(List.of(0.60, 0.62, 0.61));
        Spread clearlyWorse = Spread.of(List.of(0.70, 0.71, 0.72));
        Spread close = Spread.of(List.of(0.61, 0.63, 0.62));
        String win = Verdict.compare("val loss", "iso-FLOP", memory, clearlyWorse, false, "memory lower", "memory higher", "%.3f");
        assertTrue(win.contains("memory lower by 0.100, more than the spread (0.020): memory wins"), win);
        String none = Verdict.compare("val loss", "iso-FLOP", memory, close, false, "memory lower", "memory higher", "%.3f");
        assertTrue(none.contains("within the spread (0.020): no verdict"), none);
        String lose = Verdict.compare("recall", "iso-FLOP", memory, clearlyWorse, true, "memory higher", "memory lower", "%.3f");
        assertTrue(lose.contains("memory loses"), lose);
        String single = Verdict.compare("val loss", "iso-FLOP", Spread.of(List.of(0.5)), Spread.of(List.of(0.6)), false,
                "memory lower", "memory higher", "%.3f");
        assertTrue(single.contains("one seed has no spread to judge by: no verdict"), single);
    }
}
