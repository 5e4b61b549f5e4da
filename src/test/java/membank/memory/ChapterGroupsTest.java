package membank.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ChapterGroupsTest {

    @Test
    void everyAssignmentHasItsOwnSlotInAPieceOfItsChapter() {
        Random random = new Random(3);
        int k = 4;
        int routed = 50;
        long[] assignments = new long[300 * k];
        for (int i = 0; i < assignments.length; i++) {
            assignments[i] = random.nextInt(random.nextBoolean() ? 5 : routed);
        }
        ChapterGroups g = ChapterGroups.of(assignments, k, routed);
        boolean[] taken = new boolean[g.slotRow.length];
        for (int a = 0; a < assignments.length; a++) {
            int slot = (int) g.assignmentSlot[a];
            assertTrue(!taken[slot], "slot " + slot + " given twice");
            taken[slot] = true;
            assertEquals(a / k, g.slotRow[slot]);
            assertEquals(a, g.slotAssignment[slot]);
            long piece = slot / g.pieceSize;
            assertEquals(assignments[a], g.chapters[(int) g.pieceChapter[(int) piece]]);
        }
        for (int slot = 0; slot < taken.length; slot++) {
            if (!taken[slot]) {
                assertEquals(assignments.length, g.slotAssignment[slot], "a padding slot points past the end");
            }
        }
    }

    @Test
    void pieceSizeTradesPaddingAgainstPieces() {
        int[] even = new int[256];
        Arrays.fill(even, 32);
        assertEquals(32, ChapterGroups.pieceSize(even, 32), "equal groups fit one piece each");
        int[] wide = new int[256];
        Random random = new Random(5);
        for (int i = 0; i < wide.length; i++) {
            wide[i] = 450 + random.nextInt(130);
        }
        assertEquals(128, ChapterGroups.pieceSize(wide, 512), "groups of 450-580 waste less in pieces of 128");
        int[] skewed = new int[1000];
        Arrays.fill(skewed, 3);
        skewed[0] = 50_000;
        long mean = (Arrays.stream(skewed).sum() + 999) / 1000;
        long size = ChapterGroups.pieceSize(skewed, mean);
        assertTrue(size < mean && size > 3, "many tiny groups want pieces below the mean, the huge one not tiny ones: " + size);
    }
}
