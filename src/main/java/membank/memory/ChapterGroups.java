package membank.memory;

import java.util.Arrays;

/**
 * Per-position routing decisions grouped by chapter (spec section 3): every (position, chapter)
 * assignment gets a slot in a piece of {@code pieceSize} query rows that all read one chapter, so
 * one batched matmul over pieces serves every chapter with no keys copied per position. A chapter
 * with more assignments than a piece holds gets several pieces. The piece size trades padding
 * (pieces of the mean group padded random routing by ~45%) against per-piece costs (each piece
 * copies its chapter's keys and is one more small matmul), by the estimate in {@link #pieceSize}.
 */
final class ChapterGroups {
    /** Distinct routed chapters touched, ascending. */
    final long[] chapters;
    /** For each piece, the index into {@link #chapters} it reads. */
    final long[] pieceChapter;
    /** For each slot (piece * pieceSize + offset), the query row it holds; padding slots hold row 0. */
    final long[] slotRow;
    /** For each assignment, in the routing's order, its slot. */
    final long[] assignmentSlot;
    /** For each slot, its assignment; padding slots hold the number of assignments (one past the end). */
    final long[] slotAssignment;
    final long pieceSize;
    /**
     * What one piece costs beyond its slots, in slots: fitted to bench memory (16K tokens, token
     * routing: pieces of 128 beat 512; 262K: 32 beat 8 for token and 14 beat 59 for prefix routing).
     */
    private static final long PIECE_COST = 16;

    private ChapterGroups(long[] chapters, long[] pieceChapter, long[] slotRow, long[] assignmentSlot,
                          long[] slotAssignment, long pieceSize) {
        this.chapters = chapters;
        this.pieceChapter = pieceChapter;
        this.slotRow = slotRow;
        this.assignmentSlot = assignmentSlot;
        this.slotAssignment = slotAssignment;
        this.pieceSize = pieceSize;
    }

    /**
     * Rows per piece: of the mean group size and its halvings, the one with the least estimated
     * work, counting each slot (padding too) as one unit and each piece as {@link #PIECE_COST}
     * more (its key copy and its small matmul's overhead).
     */
    static long pieceSize(int[] counts, long mean) {
        long best = Math.max(1, mean);
        double bestCost = Double.MAX_VALUE;
        for (long size = Math.max(1, mean); size >= 1; size /= 2) {
            double cost = 0;
            for (int n : counts) {
                cost += ((n + size - 1) / size) * (double) (size + PIECE_COST);
            }
            if (cost < bestCost) {
                bestCost = cost;
                best = size;
            }
        }
        return best;
    }

    int pieces() {
        return pieceChapter.length;
    }

    /**
     * @param assignments routed chapter of each assignment, row-major [rows, k]
     * @param k assignments per query row
     * @param routed number of routed chapters
     */
    static ChapterGroups of(long[] assignments, int k, int routed) {
        int[] counts = new int[routed];
        for (long c : assignments) {
            counts[(int) c]++;
        }
        int touched = 0;
        for (int n : counts) {
            touched += n > 0 ? 1 : 0;
        }
        long pieceSize = pieceSize(counts, (assignments.length + touched - 1) / Math.max(1, touched));
        long[] chapters = new long[touched];
        int[] firstSlot = new int[routed];
        int pieces = 0;
        int u = 0;
        for (int c = 0; c < routed; c++) {
            if (counts[c] > 0) {
                chapters[u++] = c;
                firstSlot[c] = (int) (pieces * pieceSize);
                pieces += (int) ((counts[c] + pieceSize - 1) / pieceSize);
            }
        }
        long[] pieceChapter = new long[pieces];
        int p = 0;
        for (int i = 0; i < touched; i++) {
            int c = (int) chapters[i];
            long n = (counts[c] + pieceSize - 1) / pieceSize;
            for (int j = 0; j < n; j++) {
                pieceChapter[p++] = i;
            }
        }
        long[] slotRow = new long[(int) (pieces * pieceSize)];
        long[] assignmentSlot = new long[assignments.length];
        long[] slotAssignment = new long[slotRow.length];
        Arrays.fill(slotAssignment, assignments.length);
        int[] filled = new int[routed];
        for (int a = 0; a < assignments.length; a++) {
            int c = (int) assignments[a];
            int slot = firstSlot[c] + filled[c]++;
            slotRow[slot] = a / k;
            assignmentSlot[a] = slot;
            slotAssignment[slot] = a;
        }
        return new ChapterGroups(chapters, pieceChapter, slotRow, assignmentSlot, slotAssignment, pieceSize);
    }
}
