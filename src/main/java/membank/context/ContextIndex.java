package membank.context;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.zeros;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Cosine retrieval over a {@link ContextBank} by an inverted file (docs/context-retrieval.md): the
 * bank's rows are clustered by spherical k-means, each cluster keeps its unit rows contiguous, and
 * a query reads only the {@code probe} clusters whose centroids are most like it. With probe = all
 * clusters the answer is the brute-force one.
 *
 * <p>The index follows its bank: {@link #update()} (also called by every search) assigns appended
 * rows to their nearest centroid, moves centroids as running means, splits clusters that grew past
 * {@code splitFactor} times the target size, re-clusters from scratch once the bank has grown by
 * {@code rebuildGrowth} since the last build, and rebuilds whenever rows were removed (merged or
 * cleared), since row numbers then change.
 */
public final class ContextIndex implements AutoCloseable {
    /** Upper bound of the default cluster count. */
    public static final int MAX_CLUSTERS = 4096;

    private final ContextBank bank;
    private final IndexConfig config;
    private final List<Cluster> clusters = new ArrayList<>();
    /** Unit centroids [>= clusters, d]; the first clusterCount() rows are live. */
    private final Tensor centroids;
    /** Sum of each cluster's unit rows: its centroid is this sum re-normalised (a running mean). */
    private final Tensor sums;
    /** 1 / |row| of every indexed bank row, for brute force. */
    private final Tensor inverseNorms;
    private int[] rowCluster = new int[0];
    private int indexed;
    private int builtAt;
    private int targetSize;
    private long removalsSeen;
    private int builds;
    private int splits;

    private ContextIndex(ContextBank bank, IndexConfig config) {
        this.bank = bank;
        this.config = config;
        long d = bank.dim();
        this.centroids = Scope.kept(() -> zeros(0, d));
        this.sums = Scope.kept(() -> zeros(0, d));
        this.inverseNorms = Scope.kept(() -> zeros(new long[] {0}));
    }

    /** An index with the default configuration (about sqrt(rows) clusters, seed 0). */
    public static ContextIndex build(ContextBank bank) {
        return build(bank, IndexConfig.defaults());
    }

    public static ContextIndex build(ContextBank bank, int clusters, long seed) {
        return build(bank, IndexConfig.defaults().withClusters(clusters).withSeed(seed));
    }

    public static ContextIndex build(ContextBank bank, IndexConfig config) {
        ContextIndex index = new ContextIndex(bank, config);
        index.rebuild();
        return index;
    }

    /** About sqrt(rows), at least 1 and at most {@link #MAX_CLUSTERS} (and never more than the rows). */
    public static int defaultClusters(int rows) {
        int c = (int) Math.round(Math.sqrt(rows));
        return Math.max(1, Math.min(Math.min(c, MAX_CLUSTERS), Math.max(rows, 1)));
    }

    public ContextBank bank() {
        return bank;
    }

    public int clusterCount() {
        return clusters.size();
    }

    public int[] clusterSizes() {
        return clusters.stream().mapToInt(Cluster::size).toArray();
    }

    /** Full builds so far (the first included). */
    public int builds() {
        return builds;
    }

    /** Clusters split by 2-means since the index was created. */
    public int splits() {
        return splits;
    }

    /** The cluster holding bank row {@code row} (as of the last update). */
    public int clusterOf(int row) {
        if (row < 0 || row >= indexed) {
            throw new IndexOutOfBoundsException("row " + row + " is not indexed (indexed rows: " + indexed + ")");
        }
        return rowCluster[row];
    }

    /** A copy of the unit centroids [clusters, d]. */
    Tensor centroids() {
        return centroids.narrow(0, 0, clusters.size()).clone();
    }

    /** Bank rows of one cluster, in storage order. */
    int[] members(int cluster) {
        return Arrays.stream(Ops.toLongs(clusters.get(cluster).rows())).mapToInt(Math::toIntExact).toArray();
    }

    /** Re-clusters the whole bank with k-means. */
    public void rebuild() {
        clusters.forEach(Cluster::close);
        clusters.clear();
        int n = bank.size();
        indexed = n;
        builtAt = n;
        removalsSeen = bank.removals();
        builds++;
        rowCluster = new int[n];
        if (n == 0) {
            return;
        }
        try (Scope scope = Scope.inference()) {
            Tensor unit = indexNorms(bank.vectors(), 0);
            int count = config.clusters() == 0 ? defaultClusters(n) : Math.min(config.clusters(), n);
            Tensor trained = SphericalKMeans.train(unit, count, config.sampleFactor(), config.iterations(), config.seed());
            int[] assignment = SphericalKMeans.assign(unit, trained);
            long[][] members = SphericalKMeans.members(assignment, count, 0);
            ensureClusters(count);
            Tensor clusterSums = SphericalKMeans.sums(unit, assignment, count);
            sums.narrow(0, 0, count).copy_(clusterSums);
            Tensor means = UnitRows.of(clusterSums);
            for (int c = 0; c < count; c++) {
                if (members[c].length == 0) {
                    clusters.add(new Cluster(bank.dim(), 4));
                } else {
                    Tensor rows = Ops.longs(members[c]);
                    clusters.add(Cluster.of(unit.index_select(0, rows), rows));
                }
                // an empty cluster keeps its k-means centroid: a zero one would attract nothing useful
                centroids.select(0, c).copy_(members[c].length > 0 ? means.select(0, c) : trained.select(0, c));
                for (long row : members[c]) {
                    rowCluster[(int) row] = c;
                }
            }
            targetSize = (n + count - 1) / count;
        }
    }

    /**
     * Brings the index up to date with its bank: appended rows join their nearest cluster (a full
     * rebuild instead after removals or once the bank has grown by {@code rebuildGrowth}).
     */
    public void update() {
        int n = bank.size();
        if (bank.removals() != removalsSeen || (clusters.isEmpty() && n > 0)
                || n >= config.rebuildGrowth() * builtAt && n > indexed) {
            rebuild();
            return;
        }
        if (n == indexed) {
            return;
        }
        int start = indexed;
        int m = n - start;
        int count = clusters.size();
        int[] assignment;
        try (Scope scope = Scope.inference()) {
            Tensor unit = indexNorms(bank.vectors().narrow(0, start, m), start);
            assignment = SphericalKMeans.assign(unit, centroids.narrow(0, 0, count));
            long[][] members = SphericalKMeans.members(assignment, count, start);
            long[] touched = LongStream.range(0, count).filter(c -> members[(int) c].length > 0).toArray();
            for (long c : touched) {
                long[] rows = members[(int) c];
                long[] local = Arrays.stream(rows).map(r -> r - start).toArray();
                clusters.get((int) c).append(unit.index_select(0, Ops.longs(local)), Ops.longs(rows));
            }
            sums.narrow(0, 0, count).index_add_(0, Ops.longs(Arrays.stream(assignment).asLongStream().toArray()), unit);
            Tensor t = Ops.longs(touched);
            centroids.index_copy_(0, t, UnitRows.of(sums.index_select(0, t)));
            rowCluster = Arrays.copyOf(rowCluster, n);
            System.arraycopy(assignment, 0, rowCluster, start, m);
            indexed = n;
            for (long c : touched) {
                if (clusters.get((int) c).size() > config.splitFactor() * targetSize) {
                    split((int) c);
                }
            }
        }
    }

    /**
     * The {@code k} rows of highest cosine to {@code query} [d] among the rows of the {@code probe}
     * clusters whose centroids are most like it, best first (ties by row number).
     */
    public Hits search(Tensor query, int k, int probe) {
        checkQuery(query, k);
        if (probe < 1) {
            throw new IllegalArgumentException("probe must be >= 1 cluster, got " + probe);
        }
        update();
        if (indexed == 0) {
            return Hits.none();
        }
        try (Scope scope = Scope.inference()) {
            Tensor q = UnitRows.query(query);
            int count = clusters.size();
            long[] chosen = probe >= count ? LongStream.range(0, count).toArray()
                    : Ops.toLongs(Ops.topk(centroids.narrow(0, 0, count).mv(q), probe, 0, false).indices());
            TensorVector scores = new TensorVector();
            TensorVector rows = new TensorVector();
            for (long c : chosen) {
                Cluster cluster = clusters.get((int) c);
                if (cluster.size() > 0) {
                    scores.push_back(cluster.vectors().mv(q));
                    rows.push_back(cluster.rows());
                }
            }
            return best(cat(scores, 0), cat(rows, 0), k);
        }
    }

    /** The exact answer: the {@code k} rows of highest cosine over the whole bank, best first. */
    public Hits bruteForce(Tensor query, int k) {
        checkQuery(query, k);
        update();
        if (indexed == 0) {
            return Hits.none();
        }
        try (Scope scope = Scope.inference()) {
            Tensor scores = bank.vectors().mv(UnitRows.query(query));
            scores.mul_(inverseNorms.narrow(0, 0, indexed));
            return best(scores, null, k);
        }
    }

    @Override
    public void close() {
        clusters.forEach(Cluster::close);
        clusters.clear();
        centroids.close();
        sums.close();
        inverseNorms.close();
    }

    /** Top k of scores [m] (rows [m] int64, or null when position = row), sorted by score then row. */
    private static Hits best(Tensor scores, Tensor rows, int k) {
        long kk = Math.min(k, scores.size(0));
        Ops.TopK top = Ops.topk(scores, kk, 0, true);
        long[] picked = Ops.toLongs(rows == null ? top.indices() : rows.index_select(0, top.indices()));
        float[] values = Ops.floats(top.values());
        Integer[] order = new Integer[picked.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> values[a] != values[b] ? Float.compare(values[b], values[a]) : Long.compare(picked[a], picked[b]));
        int[] outRows = new int[order.length];
        float[] outScores = new float[order.length];
        for (int i = 0; i < order.length; i++) {
            outRows[i] = (int) picked[order[i]];
            outScores[i] = values[order[i]];
        }
        return new Hits(outRows, outScores);
    }

    /** Splits cluster c by 2-means: one half stays c, the other becomes a new last cluster. */
    private void split(int c) {
        Cluster old = clusters.get(c);
        try (Scope scope = Scope.inference()) {
            int[] sides = SphericalKMeans.split(old.vectors());
            long[][] parts = SphericalKMeans.members(sides, 2, 0);
            if (parts[0].length == 0 || parts[1].length == 0) {
                return; // identical rows: nothing to split
            }
            int added = clusters.size();
            ensureClusters(added + 1);
            Cluster[] halves = new Cluster[2];
            for (int side = 0; side < 2; side++) {
                Tensor positions = Ops.longs(parts[side]);
                halves[side] = Cluster.of(old.vectors().index_select(0, positions), old.rows().index_select(0, positions));
                int target = side == 0 ? c : added;
                Tensor sum = halves[side].vectors().sum(0);
                sums.select(0, target).copy_(sum);
                centroids.select(0, target).copy_(UnitRows.query(sum));
            }
            for (long row : Ops.toLongs(halves[1].rows())) {
                rowCluster[(int) row] = added;
            }
            clusters.set(c, halves[0]);
            clusters.add(halves[1]);
            old.close();
            splits++;
        }
    }

    /** Unit rows of bank rows [start, start + m), recording their inverse norms for brute force. */
    private Tensor indexNorms(Tensor rows, int start) {
        long m = rows.size(0);
        long needed = start + m;
        if (inverseNorms.size(0) < needed) {
            inverseNorms.resize_(new long[] {Math.max(needed, inverseNorms.size(0) * 2)});
        }
        Tensor inverse = UnitRows.inverseNorms(rows);
        inverseNorms.narrow(0, start, m).copy_(inverse);
        return rows.mul(inverse.unsqueeze(1));
    }

    private void ensureClusters(int count) {
        long capacity = centroids.size(0);
        if (count > capacity) {
            long grown = Math.max(count, capacity * 2);
            centroids.resize_(new long[] {grown, bank.dim()});
            sums.resize_(new long[] {grown, bank.dim()});
        }
    }

    private void checkQuery(Tensor query, int k) {
        if (query.dim() != 1 || query.size(0) != bank.dim() || !Ops.isFloat32(query)) {
            throw new IllegalArgumentException("a context query must be float32 [" + bank.dim() + "], got "
                    + query.scalar_type() + " " + Arrays.toString(Ops.shape(query)));
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1 row, got " + k);
        }
    }
}
