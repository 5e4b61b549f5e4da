package membank.context;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

/** Clustered retrieval against brute force, incremental updates, splits and rebuilds. */
class ContextIndexTest {
    /** No splits or rebuilds: updates only assign rows to centroids. */
    private static final IndexConfig NO_SPLITS = new IndexConfig(10, 3, 64, 8, 1e9, 1e9);

    @Test
    void probingEveryClusterIsBruteForce() {
        manual_seed(11);
        ContextBank bank = new ContextBank(32);
        bank.add(randn(2000, 32), 0);
        try (ContextIndex index = ContextIndex.build(bank, 40, 1)) {
            assertEquals(40, index.clusterCount());
            assertEquals(2000, java.util.Arrays.stream(index.clusterSizes()).sum());
            for (int i = 0; i < 20; i++) {
                Tensor q = randn(32);
                Hits exact = index.bruteForce(q, 10);
                Hits all = index.search(q, 10, index.clusterCount());
                assertArrayEquals(exact.rows(), all.rows(), "query " + i);
                assertArrayEquals(exact.scores(), all.scores(), 1e-5f);
                assertArrayEquals(naiveTop(bank, q, 10), exact.rows(), "brute force against a Java loop, query " + i);
            }
        }
    }

    @Test
    void fewProbesFindMostNeighboursOnClusteredData() {
        manual_seed(12);
        Tensor centers = randn(30, 32);
        ContextBank bank = new ContextBank(32);
        bank.add(mixture(centers, 3000, 0.5), 0);
        try (ContextIndex index = ContextIndex.build(bank)) {
            assertEquals(ContextIndex.defaultClusters(3000), index.clusterCount());
            Tensor queries = mixture(centers, 50, 0.5);
            double recall = 0;
            for (int i = 0; i < 50; i++) {
                Tensor q = queries.select(0, i).contiguous();
                recall += index.search(q, 10, 3).recall(index.bruteForce(q, 10)) / 50;
            }
            assertTrue(recall >= 0.9, "recall@10 with 3 of 55 clusters: " + recall);
        }
    }

    @Test
    void appendedRowsJoinTheirNearestClusterAndSearchStaysExact() {
        manual_seed(13);
        ContextBank bank = new ContextBank(16);
        bank.add(randn(1000, 16), 0);
        try (ContextIndex index = ContextIndex.build(bank, NO_SPLITS)) {
            Tensor before = index.centroids();
            Tensor added = randn(300, 16);
            bank.add(added, 1);
            index.update();
            assertEquals(1, index.builds());
            long[] nearest = Ops.toLongs(UnitRows.of(added).mm(before.t()).argmax(new LongOptional(1), false));
            for (int i = 0; i < 300; i++) {
                assertEquals(nearest[i], index.clusterOf(1000 + i), "appended row " + i);
            }
            assertEquals(1300, java.util.Arrays.stream(index.clusterSizes()).sum());
            for (int i = 0; i < 10; i++) {
                Tensor q = randn(16);
                assertArrayEquals(index.bruteForce(q, 8).rows(), index.search(q, 8, 10).rows());
            }
            // centroids moved to the re-normalised mean of their rows
            int c = index.clusterOf(1000);
            Tensor mean = UnitRows.query(UnitRows.of(bank.vectors()).index_select(0, Ops.longs(
                    java.util.Arrays.stream(index.members(c)).asLongStream().toArray())).sum(0));
            assertTrue(index.centroids().select(0, c).sub(mean).abs().max().item_float() < 1e-5);
        }
    }

    @Test
    void splitsKeepEveryRowInExactlyOneCluster() {
        manual_seed(14);
        ContextBank bank = new ContextBank(16);
        bank.add(randn(500, 16), 0);
        IndexConfig config = new IndexConfig(5, 1, 64, 8, 2.0, 1e9);
        try (ContextIndex index = ContextIndex.build(bank, config)) {
            // 400 rows around one direction all land in one cluster, far past 2x the target of 100
            Tensor direction = randn(1, 16);
            bank.add(direction.expand(400, 16).add(randn(400, 16).mul(Ops.scalar(0.3))), 1);
            index.update();
            assertTrue(index.splits() >= 1, "splits: " + index.splits());
            assertTrue(index.clusterCount() > 5);
            int[] seen = new int[bank.size()];
            for (int c = 0; c < index.clusterCount(); c++) {
                for (int row : index.members(c)) {
                    seen[row]++;
                    assertEquals(c, index.clusterOf(row));
                }
            }
            for (int row = 0; row < seen.length; row++) {
                assertEquals(1, seen[row], "row " + row);
            }
            for (int i = 0; i < 10; i++) {
                Tensor q = randn(16);
                assertArrayEquals(index.bruteForce(q, 8).rows(), index.search(q, 8, index.clusterCount()).rows());
            }
        }
    }

    @Test
    void growthAndRemovalsRebuild() {
        manual_seed(15);
        ContextBank bank = new ContextBank(8);
        bank.add(randn(200, 8), 0);
        try (ContextIndex index = ContextIndex.build(bank)) {
            bank.add(randn(250, 8), 1);
            index.update();
            assertEquals(2, index.builds(), "grown past 2x");
            assertEquals(ContextIndex.defaultClusters(450), index.clusterCount());
            bank.merge(0, 1);
            Tensor q = randn(8);
            Hits hits = index.search(q, 5, index.clusterCount());
            assertEquals(3, index.builds(), "a merge moved rows");
            assertArrayEquals(naiveTop(bank, q, 5), hits.rows());
        }
    }

    @Test
    void badQueriesAreRejectedWithTheShape() {
        ContextBank bank = new ContextBank(8);
        bank.add(randn(20, 8), 0);
        try (ContextIndex index = ContextIndex.build(bank)) {
            var e = assertThrows(IllegalArgumentException.class, () -> index.search(randn(4), 3, 1));
            assertTrue(e.getMessage().contains("[8]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> index.search(randn(8), 0, 1));
            assertThrows(IllegalArgumentException.class, () -> index.search(randn(8), 3, 0));
        }
    }

    @Test
    void anEmptyBankFindsNothingUntilRowsArrive() {
        ContextBank bank = new ContextBank(4);
        try (ContextIndex index = ContextIndex.build(bank)) {
            assertEquals(0, index.search(randn(4), 3, 2).size());
            bank.add(randn(3, 4), 0);
            assertEquals(3, index.search(randn(4), 5, 2).size());
        }
    }

    /** Points around centers [g, d]: center + noise * N(0, I). */
    static Tensor mixture(Tensor centers, int n, double noise) {
        long g = centers.size(0);
        long[] which = new long[n];
        java.util.Random random = new java.util.Random(n);
        for (int i = 0; i < n; i++) {
            which[i] = random.nextInt((int) g);
        }
        return centers.index_select(0, Ops.longs(which)).add(randn(n, centers.size(1)).mul(Ops.scalar(noise)));
    }

    /** Top k by cosine computed row by row in Java (ties by row number). */
    static int[] naiveTop(ContextBank bank, Tensor query, int k) {
        float[] v = Ops.floats(bank.vectors());
        float[] q = Ops.floats(query);
        int d = q.length;
        int n = bank.size();
        double qn = 0;
        for (float x : q) {
            qn += x * x;
        }
        double[] cos = new double[n];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < d; j++) {
                dot += v[i * d + j] * q[j];
                norm += v[i * d + j] * v[i * d + j];
            }
            cos[i] = dot / Math.sqrt(norm * qn);
        }
        return java.util.stream.IntStream.range(0, n).boxed()
                .sorted((a, b) -> cos[a] != cos[b] ? Double.compare(cos[b], cos[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
