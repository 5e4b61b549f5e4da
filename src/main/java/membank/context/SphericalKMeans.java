package membank.context;

import java.util.Random;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Spherical k-means over unit rows: assign each row to the centroid of highest cosine, move each
 * centroid to the re-normalised mean of its rows. Large inputs train on a seeded sample and are
 * assigned afterwards; every step is a blocked matmul, so no [n, clusters] score matrix is ever whole.
 */
final class SphericalKMeans {
    /** Scores per assignment block: rows x clusters floats, about 64 MB. */
    private static final long BLOCK_SCORES = 1L << 24;
    private static final int SPLIT_ITERATIONS = 6;

    private SphericalKMeans() {
    }

    /**
     * Centroids [clusters, d] trained on at most {@code sampleFactor * clusters} rows drawn with
     * {@code seed}, starting from {@code clusters} distinct sampled rows. The result lives in the
     * caller's scope.
     */
    static Tensor train(Tensor unitRows, int clusters, int sampleFactor, int iterations, long seed) {
        int n = Math.toIntExact(unitRows.size(0));
        if (clusters < 1 || clusters > n) {
            throw new IllegalArgumentException("k-means needs 1 <= clusters <= rows (" + n + "), got " + clusters);
        }
        int sampleSize = (int) Math.min(n, (long) sampleFactor * clusters);
        long[] sample = sample(n, sampleSize, seed);
        try (Scope ignored = Scope.noGrad()) {
            // shuffled even when it is every row: the first rows seed the centroids
            Tensor rows = unitRows.index_select(0, Ops.longs(sample));
            Tensor centroids = rows.narrow(0, 0, clusters).clone();
            for (int it = 0; it < iterations; it++) {
                try (Scope step = Scope.tensors()) {
                    int[] assignment = assign(rows, centroids);
                    Tensor sums = sums(rows, assignment, clusters);
                    int[] counts = counts(assignment, clusters);
                    Tensor moved = UnitRows.of(sums);
                    for (int c = 0; c < clusters; c++) {
                        if (counts[c] > 0) {
                            centroids.select(0, c).copy_(moved.select(0, c));
                        }
                    }
                }
            }
            return centroids;
        }
    }

    /** Index of the centroid of highest cosine for each unit row (the first of equals). */
    static int[] assign(Tensor unitRows, Tensor centroids) {
        int n = Math.toIntExact(unitRows.size(0));
        int[] out = new int[n];
        long block = Math.max(1, BLOCK_SCORES / Math.max(1, centroids.size(0)));
        Tensor transposed = centroids.t();
        for (long start = 0; start < n; start += block) {
            try (Scope scope = Scope.inference()) {
                long rows = Math.min(block, n - start);
                Tensor best = unitRows.narrow(0, start, rows).mm(transposed).argmax(new LongOptional(1), false);
                long[] idx = Ops.toLongs(best);
                for (int i = 0; i < idx.length; i++) {
                    out[(int) start + i] = (int) idx[i];
                }
            }
        }
        return out;
    }

    /** Sum of the rows assigned to each cluster, [clusters, d]. */
    static Tensor sums(Tensor rows, int[] assignment, int clusters) {
        Tensor sums = org.bytedeco.pytorch.global.torch.zeros(clusters, rows.size(1));
        long[] index = new long[assignment.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = assignment[i];
        }
        return sums.index_add_(0, Ops.longs(index), rows);
    }

    static int[] counts(int[] assignment, int clusters) {
        int[] counts = new int[clusters];
        for (int a : assignment) {
            counts[a]++;
        }
        return counts;
    }

    /** For each cluster, the rows (offset by {@code offset}) assigned to it, in row order. */
    static long[][] members(int[] assignment, int count, long offset) {
        int[] counts = SphericalKMeans.counts(assignment, count);
        long[][] members = new long[count][];
        for (int c = 0; c < count; c++) {
            members[c] = new long[counts[c]];
        }
        int[] filled = new int[count];
        for (int i = 0; i < assignment.length; i++) {
            int c = assignment[i];
            members[c][filled[c]++] = i + offset;
        }
        return members;
    }

    /**
     * Two-means of unit rows [s, d] (s >= 2): side 0 or 1 for each row. It starts from the row
     * least like the mean direction and the row least like that one, so it needs no seed.
     */
    static int[] split(Tensor unitRows) {
        try (Scope scope = Scope.inference()) {
            Tensor mean = UnitRows.query(unitRows.sum(0));
            long far = unitRows.mv(mean).argmin(new LongOptional(0), false).item_long();
            long farther = unitRows.mv(unitRows.select(0, far)).argmin(new LongOptional(0), false).item_long();
            Tensor centroids = Ops.cat(unitRows.select(0, far).unsqueeze(0), unitRows.select(0, farther).unsqueeze(0), 0);
            int[] sides = assign(unitRows, centroids);
            for (int it = 1; it < SPLIT_ITERATIONS; it++) {
                int[] counts = counts(sides, 2);
                if (counts[0] == 0 || counts[1] == 0) {
                    break;
                }
                centroids = UnitRows.of(sums(unitRows, sides, 2));
                sides = assign(unitRows, centroids);
            }
            return sides;
        }
    }

    /** {@code size} distinct row numbers out of {@code n} in random order, drawn with {@code seed}. */
    static long[] sample(int n, int size, long seed) {
        long[] out = new long[size];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            out[i] = order[i];
        }
        return out;
    }
}
