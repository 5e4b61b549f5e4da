package membank.memory;

import java.util.Arrays;

/**
 * Per-position routing decisions grouped by chapter (spec section 3): every (position, chapter)
 * assignment gets a slot in a piece of {@code pieceSize} query rows that all read one chapter, so
 * one batched matmul over pieces serves every chapter with no keys copied per position. A chapter
 * with more assignments than a piece holds gets several pieces. Pieces hold the mean group, or a
 * quarter of it when that is still at least 128 rows: large groups of random routing were padded
 * by ~45% at the mean size (16K-token bank: training step 7.2 s -> 4.2 s), while smaller pieces
 * of small groups cost more in per-piece key copies and tiny matmuls than padding saves (262K
 * tokens, token routing: 31 s -> 36 s with pieces of 8).
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
    private static final long PIECES_PER_MEAN_GROUP = 4;
    private static final long MIN_PIECE = 128;

    private ChapterGroups(long[] chapters, long[] pieceChapter, long[] slotRow, long[] assignmentSlot,
                          long[] slotAssignment, long pieceSize) {
        this.chapters = chapters;
        this.pieceChapter = pieceChapter;
        this.slotRow = slotRow;
        this.assignmentSlot = assignmentSlot;
        this.slotAssignment = slotAssignment;
        this.pieceSize = pieceSize;
    }

    /** Rows per piece for groups of {@code mean} assignments on average. */
    static long pieceSize(long mean) {
        return Math.max(1, Math.max(Math.min(mean, MIN_PIECE), mean / PIECES_PER_MEAN_GROUP));
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
        long pieceSize = pieceSize((assignments.length + touched - 1) / Math.max(1, touched));
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
