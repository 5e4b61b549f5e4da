package membank.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** The in-memory bank: growth across callers' memory scopes, merging, running statistics, clearing. */
class ContextBankTest {
    private static final int D = 3;

    @Test
    void growsBeyondItsFirstCapacityWhileCallersScopesOpenAndClose() {
        ContextBank bank;
        try (PointerScope outer = new PointerScope()) {
            bank = new ContextBank(D);
            bank.add(Banks.rows(1, 10, D), 7);
            try (PointerScope inner = new PointerScope()) {
                bank.add(Banks.rows(2, 10, D), 8); // 20 rows: past the first capacity of 16
                assertEquals(20, bank.size());
            }
            assertEquals(Banks.value(2, 9, 2), Banks.vectors(bank)[19][2]);
        }
        try (PointerScope later = new PointerScope()) {
            bank.add(Banks.rows(3, 20, D), 9); // 40 rows: grows again after both scopes closed
        }
        float[][] v = Banks.vectors(bank);
        assertEquals(40, v.length);
        for (int r = 0; r < 40; r++) {
            int seed = r < 10 ? 1 : r < 20 ? 2 : 3;
            int local = r < 10 ? r : r < 20 ? r - 10 : r - 20;
            for (int c = 0; c < D; c++) {
                assertEquals(Banks.value(seed, local, c), v[r][c], "row " + r + " column " + c);
            }
            assertEquals(1f, bank.mass(r));
            assertEquals(0f, bank.references(r));
            assertEquals(seed + 6L, bank.lastUsed(r));
        }
        assertEquals(40.0, bank.totalMass());
    }

    @Test
    void mergeAveragesByMassAndRemovesTheDroppedRowByMovingTheLastOne() {
        ContextBank bank = new ContextBank(D);
        bank.add(Banks.tensor(new float[][] {{2, 4, 6}, {4, 8, 10}, {1, 1, 1}, {9, 9, 9}}), 1);
        int moved = bank.merge(0, 1);
        assertEquals(3, moved, "the last row moved into the dropped row's place");
        assertEquals(3, bank.size());
        float[][] v = Banks.vectors(bank);
        assertArrayEquals(new float[] {3, 6, 8}, v[0], "plain mean of two original vectors");
        assertArrayEquals(new float[] {9, 9, 9}, v[1], "former last row");
        assertArrayEquals(new float[] {1, 1, 1}, v[2]);
        assertEquals(2f, bank.mass(0));

        bank.merge(0, 2); // mass 2 and 1: (2 * [3,6,8] + [1,1,1]) / 3
        v = Banks.vectors(bank);
        assertEquals(2, bank.size());
        assertArrayEquals(new float[] {7f / 3, 13f / 3, 17f / 3}, v[0], 1e-6f);
        assertEquals(3f, bank.mass(0));
        assertEquals(4.0, bank.totalMass());
    }

    @Test
    void mergeCombinesStatisticsByReferenceCountAndKeepsTheLaterUse() {
        ContextBank bank = new ContextBank(D);
        bank.add(Banks.rows(1, 3, D), 1);
        bank.recordUse(new int[] {0}, new float[] {0.6f}, 4);
        bank.recordUse(new int[] {1, 1, 1}, new float[] {0.1f, 0.2f, 0.3f}, 9);
        bank.merge(0, 1);
        assertEquals(4f, bank.references(0));
        assertEquals((0.6f + 0.1f + 0.2f + 0.3f) / 4, bank.attention(0), 1e-6f);
        assertEquals(9L, bank.lastUsed(0));
        assertThrows(IllegalArgumentException.class, () -> bank.merge(0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> bank.merge(0, 2));
    }

    @Test
    void recordUseKeepsARunningMeanOfAttentionAndTheLatestStep() {
        ContextBank bank = new ContextBank(D);
        bank.add(Banks.rows(1, 2, D), 2);
        bank.recordUse(new int[] {0, 0}, new float[] {0.2f, 0.4f}, 5);
        assertEquals(2f, bank.references(0));
        assertEquals(0.3f, bank.attention(0), 1e-6f);
        assertEquals(5L, bank.lastUsed(0));
        bank.recordUse(new int[] {0}, new float[] {0.9f}, 3); // an older step does not move recency back
        assertEquals(3f, bank.references(0));
        assertEquals(0.5f, bank.attention(0), 1e-6f);
        assertEquals(5L, bank.lastUsed(0));
        assertEquals(0f, bank.references(1), "row 1 untouched");
        assertEquals(2L, bank.lastUsed(1));
    }

    @Test
    void clearForgetsEverythingAndTheBankFillsAgain() {
        ContextBank bank = new ContextBank(D);
        bank.add(Banks.rows(1, 20, D), 1);
        bank.clear();
        assertTrue(bank.isEmpty());
        assertEquals(0.0, bank.totalMass());
        bank.add(Banks.rows(5, 2, D), 3);
        assertEquals(2, bank.size());
        assertEquals(Banks.value(5, 1, 0), Banks.vectors(bank)[1][0]);
        assertEquals(0f, bank.references(1));
        assertThrows(IndexOutOfBoundsException.class, () -> bank.mass(2));
    }

    @Test
    void refusesRowsOfAnotherWidth() {
        ContextBank bank = new ContextBank(D);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bank.add(Banks.rows(1, 2, D + 1), 0));
        assertTrue(e.getMessage().contains("[n, 3]"), e.getMessage());
    }
}
