package membank.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import membank.data.TokenBatch;
import membank.data.TokenBatches;

/** Each rank's rows of the global batches: disjoint, together all of them, in one process's order. */
class RowShardTest {
    private static final int BATCH = 6;

    /** Global batches whose row i of batch b holds the id b * BATCH + i in every position. */
    private static final class NumberedRows implements TokenBatches {
        private long position;

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public TokenBatch next() {
            long[][] rows = new long[BATCH][];
            for (int i = 0; i < BATCH; i++) {
                long id = position * BATCH + i;
                rows[i] = new long[] {id, id, id};
            }
            position++;
            return new TokenBatch(rows, rows);
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void skip(long n) {
            position += n;
        }
    }

    private static List<Long> rowsOf(TokenBatches shard, int batches) {
        List<Long> ids = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            for (long[] row : shard.next().inputs()) {
                ids.add(row[0]);
            }
        }
        return ids;
    }

    @Test
    void shardsAreDisjointAndTogetherCoverEveryRowInOrder() {
        for (int world : new int[] {1, 2, 3, 6}) {
            Set<Long> seen = new HashSet<>();
            List<List<Long>> shards = new ArrayList<>();
            for (int rank = 0; rank < world; rank++) {
                List<Long> ids = rowsOf(new RowShard(new NumberedRows(), BATCH, rank, world), 5);
                assertEquals(5 * BATCH / world, ids.size());
                for (Long id : ids) {
                    assertTrue(seen.add(id), "row " + id + " is in two shards (world " + world + ")");
                }
                shards.add(ids);
            }
            assertEquals(5 * BATCH, seen.size(), "every row of 5 batches is in some shard (world " + world + ")");
            // within a global batch, rank r holds the r-th slice: one process's rows in rank order
            List<Long> firstBatch = new ArrayList<>();
            shards.forEach(s -> firstBatch.addAll(s.subList(0, BATCH / world)));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), firstBatch);
        }
    }

    @Test
    void thePositionCountsGlobalBatchesSoAResumeSeeksTheSameData() {
        RowShard shard = new RowShard(new NumberedRows(), BATCH, 1, 2);
        rowsOf(shard, 3);
        assertEquals(3, shard.position());
        RowShard resumed = new RowShard(new NumberedRows(), BATCH, 1, 2);
        resumed.seek(3);
        assertEquals(rowsOf(shard, 1), rowsOf(resumed, 1));
    }

    @Test
    void aBatchThatDoesNotDivideAmongTheRanksIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowShard(new NumberedRows(), BATCH, 0, 4));
        assertTrue(e.getMessage().contains("training.batch_size = 6") && e.getMessage().contains("multiple of 4"), e.getMessage());
    }
}
