package membank.context;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

/** Pair merging by cosine and importance, exact against a Java reference, and the approximate rounds. */
class ConsolidationTest {
    private static final float[] E0 = {1, 0, 0, 0};
    private static final float[] E1 = {0, 1, 0, 0};
    private static final float[] E2 = {0, 0, 1, 0};
    /** cos(E2, NEAR_E2) = 0.9. */
    private static final float[] NEAR_E2 = {0, 0, 1.8f, 0.871779f};
    /** cos(E0, NEAR_E0) = 0.995, twice as long as E0. */
    private static final float[] NEAR_E0 = {1.99f, 0.19975f, 0, 0};

    @Test
    void theMostSimilarPairMergesIntoItsMean() {
        ContextBank bank = bank(E0, E1, E2, NEAR_E2, NEAR_E0);
        ConsolidationReport report = Consolidation.consolidate(bank, ConsolidationConfig.of(4));
        assertEquals(new ConsolidationReport("exact", 5, 4, 1, 1, report.millis()), report);
        assertArrayEquals(new float[] {(1 + 1.99f) / 2, 0.19975f / 2, 0, 0}, row(bank, 0), 1e-6f);
        assertArrayEquals(E1, row(bank, 1));
        assertArrayEquals(E2, row(bank, 2));
        assertArrayEquals(NEAR_E2, row(bank, 3));
        assertEquals(2f, bank.mass(0));
    }

    @Test
    void anImportantRowIsProtected() {
        ContextBank bank = bank(E0, E1, E2, NEAR_E2, NEAR_E0);
        bank.recordUse(new int[] {4}, new float[] {0.5f}, 0);
        // references only: I_4 = 1, so m(0, 4) = 0.995 - 0.5 falls below m(2, 3) = 0.9
        Consolidation.consolidate(bank, new ConsolidationConfig(4, 1, 0, 0));
        assertArrayEquals(E0, row(bank, 0));
        assertArrayEquals(E1, row(bank, 1));
        assertArrayEquals(new float[] {0, 0, 1.4f, 0.871779f / 2}, row(bank, 2), 1e-6f);
        assertArrayEquals(NEAR_E0, row(bank, 3), "the last row moved into the dropped row's place");
        assertEquals(1f, bank.references(3));
        // without importance weights the closest pair merges as before
        ContextBank plain = bank(E0, E1, E2, NEAR_E2, NEAR_E0);
        plain.recordUse(new int[] {4}, new float[] {0.5f}, 0);
        Consolidation.consolidate(plain, new ConsolidationConfig(4, 0, 0, 0));
        assertArrayEquals(E2, row(plain, 2));
    }

    @Test
    void theHeavierRowIsKeptAndWeightsTheMean() {
        ContextBank bank = bank(NEAR_E0, E1, E1);
        bank.merge(1, 2); // row 1: E1 standing for two vectors
        bank.add(Ops.cat(tensor(E2), tensor(E0), 0), 5); // rows 2, 3: E2, E0, newer
        // gamma 3: rows 2, 3 have recency 1 (I = 3), rows 0, 1 recency 0, so m(0, 3) = 0.995 - 1.5 and
        // m(0, 1) = cos(NEAR_E0, E1) = 0.0999 is best; row 1 weighs 2 * (1 + 0) against 1 and is kept
        Consolidation.consolidate(bank, new ConsolidationConfig(3, 0, 0, 3));
        assertEquals(3, bank.size());
        assertArrayEquals(new float[] {1.99f / 3, (2 + 0.19975f) / 3, 0, 0}, row(bank, 1), 1e-6f);
        assertEquals(3f, bank.mass(1));
        assertArrayEquals(E0, row(bank, 0), "the last row moved into the dropped row's place");
        assertEquals(5.0, bank.totalMass());
    }

    @Test
    void exactBestPairMatchesAJavaReference() {
        manual_seed(21);
        ContextBank bank = new ContextBank(16);
        bank.add(randn(300, 16), 0);
        Random random = new Random(5);
        for (int i = 0; i < 300; i++) {
            if (random.nextInt(3) == 0) {
                bank.recordUse(new int[] {i}, new float[] {random.nextFloat()}, random.nextInt(50));
            }
        }
        ConsolidationConfig config = new ConsolidationConfig(299, 0.7, 0.4, 0.9);
        double[] importance = Consolidation.importance(bank, config);
        float[] v = Ops.floats(bank.vectors());
        double best = Double.NEGATIVE_INFINITY;
        int[] expected = null;
        for (int i = 0; i < 300; i++) {
            for (int j = i + 1; j < 300; j++) {
                double m = cos(v, i, j, 16) - (importance[i] + importance[j]) / 2;
                if (m > best) {
                    best = m;
                    expected = new int[] {i, j};
                }
            }
        }
        int[] pair = Consolidation.bestPair(bank, importance);
        java.util.Arrays.sort(pair);
        assertArrayEquals(expected, pair);
    }

    @Test
    void importanceFollowsTheDefinition() {
        ContextBank bank = new ContextBank(2);
        bank.add(randn(3, 2), 10);
        bank.recordUse(new int[] {0, 0, 1}, new float[] {0.2f, 0.4f, 0.6f}, 30);
        // references 2, 1, 0; attention 0.3, 0.6, 0; lastUsed 30, 30, 10
        double[] importance = Consolidation.importance(bank, new ConsolidationConfig(3, 1, 2, 3));
        assertArrayEquals(new double[] {1 + 2 * 0.5 + 3, 0.5 + 2 + 3, 0}, importance, 1e-6);
        ContextBank fresh = new ContextBank(2);
        fresh.add(randn(3, 2), 4);
        assertArrayEquals(new double[3], Consolidation.importance(fresh, ConsolidationConfig.of(3)));
    }

    @Test
    void bothModesReachCapacityAndKeepTheMass() {
        manual_seed(22);
        Tensor centers = randn(20, 16);
        for (Consolidation.Mode mode : new Consolidation.Mode[] {Consolidation.Mode.EXACT, Consolidation.Mode.APPROXIMATE}) {
            ContextBank bank = new ContextBank(16);
            int n = mode == Consolidation.Mode.EXACT ? 300 : 3000;
            bank.add(ContextIndexTest.mixture(centers, n, 0.5), 0);
            ConsolidationReport report = Consolidation.consolidate(bank, ConsolidationConfig.of(n / 2), mode, 3);
            assertEquals(n / 2, bank.size(), mode.name());
            assertEquals(n - n / 2, report.merges());
            assertEquals(n, bank.totalMass(), 1e-3, mode.name());
            assertTrue(mode == Consolidation.Mode.EXACT || report.rounds() < report.merges(), report.toString());
        }
    }

    @Test
    void theIndexFollowsAConsolidatedBank() {
        manual_seed(23);
        ContextBank bank = new ContextBank(8);
        bank.add(randn(600, 8), 0);
        try (ContextIndex index = ContextIndex.build(bank)) {
            ConsolidationReport report = Consolidation.consolidate(index, ConsolidationConfig.of(500));
            assertEquals(500, report.rowsAfter());
            assertEquals(500, java.util.Arrays.stream(index.clusterSizes()).sum());
            Tensor q = randn(8);
            assertArrayEquals(ContextIndexTest.naiveTop(bank, q, 6), index.search(q, 6, index.clusterCount()).rows());
        }
    }

    @Test
    void badConfigurationNamesTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ConsolidationConfig(10, 1, -0.5, 1));
        assertTrue(e.getMessage().contains("beta") && e.getMessage().contains("-0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConsolidationConfig(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConsolidationConfig(5, Double.NaN, 1, 1));
    }

    private static double cos(float[] v, int i, int j, int d) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int k = 0; k < d; k++) {
            dot += v[i * d + k] * v[j * d + k];
            a += v[i * d + k] * v[i * d + k];
            b += v[j * d + k] * v[j * d + k];
        }
        return dot / Math.sqrt(a * b);
    }

    private static ContextBank bank(float[]... rows) {
        ContextBank bank = new ContextBank(rows[0].length);
        for (float[] r : rows) {
            bank.add(tensor(r), 0);
        }
        return bank;
    }

    private static Tensor tensor(float[] values) {
        Tensor t = org.bytedeco.pytorch.global.torch.empty(1, values.length);
        t.data_ptr_float().capacity(values.length).put(values);
        return t;
    }

    private static float[] row(ContextBank bank, int i) {
        return Ops.floats(bank.vectors().select(0, i));
    }
}
