package membank.context;

import static org.bytedeco.pytorch.global.torch.empty;

import java.util.Arrays;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Shrinks a context bank to its capacity by merging pairs of rows (docs/context-retrieval.md).
 * A pair's merge score is m(i, j) = cos(v_i, v_j) - (I_i + I_j) / 2 with I the importance of
 * {@link #importance}: similar rows merge first, important rows last. The merged vector is the mean
 * weighted by w = mass * (1 + I), and the row of larger weight is the one kept.
 *
 * <p>Exact mode merges the best pair of the whole bank, one at a time, recomputing all scores
 * (blocked matmuls) after each merge. Approximate mode, for large banks, clusters the bank once by
 * spherical k-means and then works in rounds: every row's best partner within its cluster, the
 * candidate pairs sorted by score, disjoint pairs merged greedily in that order until the bank
 * fits; pairs that straddle two clusters are never considered, and scores are not refreshed
 * within a round.
 */
public final class Consolidation {
    public enum Mode {
        /** Exact up to {@link #EXACT_LIMIT} rows, approximate above. */
        AUTO, EXACT, APPROXIMATE
    }

    /** Largest bank AUTO consolidates exactly (each exact merge costs rows^2 * d). */
    public static final int EXACT_LIMIT = 2048;
    /** Scores per block of a score matrix: about 16 MB of floats. */
    private static final long BLOCK_SCORES = 1L << 22;

    private Consolidation() {
    }

    /** Consolidates in {@link Mode#AUTO} with seed 0; does nothing if the bank already fits. */
    public static ConsolidationReport consolidate(ContextBank bank, ConsolidationConfig config) {
        return consolidate(bank, config, Mode.AUTO, 0);
    }

    /** Consolidates the index's bank, then brings the index up to date (a rebuild: row numbers changed). */
    public static ConsolidationReport consolidate(ContextIndex index, ConsolidationConfig config) {
        ConsolidationReport report = consolidate(index.bank(), config);
        index.update();
        return report;
    }

    /** Consolidates in the given mode; {@code seed} drives the k-means of approximate mode. */
    public static ConsolidationReport consolidate(ContextBank bank, ConsolidationConfig config, Mode mode, long seed) {
        long start = System.nanoTime();
        int before = bank.size();
        boolean exact = mode == Mode.EXACT || mode == Mode.AUTO && before <= EXACT_LIMIT;
        int[] work = exact ? exact(bank, config) : approximate(bank, config, seed);
        return new ConsolidationReport(exact ? "exact" : "approximate", before, bank.size(), work[0], work[1],
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * I_i = alpha * f_i + beta * a_i + gamma * r_i: references and attention divided by their
     * maximum over the bank (0 when that is 0), recency (lastUsed - min) / (max - min) (0 when all equal).
     */
    static double[] importance(ContextBank bank, ConsolidationConfig config) {
        float[] references = bank.referencesArray();
        float[] attention = bank.attentionArray();
        long[] lastUsed = bank.lastUsedArray();
        double maxReferences = 0;
        double maxAttention = 0;
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < references.length; i++) {
            maxReferences = Math.max(maxReferences, references[i]);
            maxAttention = Math.max(maxAttention, attention[i]);
            oldest = Math.min(oldest, lastUsed[i]);
            newest = Math.max(newest, lastUsed[i]);
        }
        double[] out = new double[references.length];
        for (int i = 0; i < out.length; i++) {
            double f = maxReferences > 0 ? references[i] / maxReferences : 0;
            double a = maxAttention > 0 ? attention[i] / maxAttention : 0;
            double r = newest > oldest ? (double) (lastUsed[i] - oldest) / (newest - oldest) : 0;
            out[i] = config.alpha() * f + config.beta() * a + config.gamma() * r;
        }
        return out;
    }

    /** {merges, rounds}: one globally best merge per round. */
    private static int[] exact(ContextBank bank, ConsolidationConfig config) {
        int merges = 0;
        while (bank.size() > config.capacity()) {
            double[] importance = importance(bank, config);
            int[] pair = bestPair(bank, importance);
            merge(bank, pair[0], pair[1], importance[pair[0]], importance[pair[1]]);
            merges++;
        }
        return new int[] {merges, merges};
    }

    /** The pair (i, j), i != j, of highest merge score over the whole bank. */
    static int[] bestPair(ContextBank bank, double[] importance) {
        int n = bank.size();
        try (Scope scope = Scope.inference()) {
            Tensor unit = UnitRows.of(bank.vectors());
            Tensor half = halves(importance);
            long block = Math.max(1, BLOCK_SCORES / n);
            double best = Double.NEGATIVE_INFINITY;
            int[] pair = null;
            for (long start = 0; start < n; start += block) {
                long rows = Math.min(block, n - start);
                Tensor scores = unit.narrow(0, start, rows).mm(unit.t());
                scores.sub_(half.narrow(0, start, rows).unsqueeze(1)).sub_(half.unsqueeze(0));
                scores.narrow(1, start, rows).fill_diagonal_(Ops.scalar(Double.NEGATIVE_INFINITY));
                Tensor flat = scores.view(-1);
                long at = flat.argmax().item_long();
                double value = flat.select(0, at).item_float();
                if (pair == null || value > best) {
                    best = value;
                    pair = new int[] {(int) (start + at / n), (int) (at % n)};
                }
            }
            return pair;
        }
    }

    /** {merges, rounds}: rounds of disjoint within-cluster merges over centroids trained once. */
    private static int[] approximate(ContextBank bank, ConsolidationConfig config, long seed) {
        if (bank.size() <= config.capacity()) {
            return new int[] {0, 0};
        }
        int count = ContextIndex.defaultClusters(bank.size());
        IndexConfig defaults = IndexConfig.defaults();
        Tensor centroids = Scope.kept(() -> SphericalKMeans.train(UnitRows.of(bank.vectors()), count,
                defaults.sampleFactor(), defaults.iterations(), seed));
        try {
            int merges = 0;
            int rounds = 0;
            while (bank.size() > config.capacity()) {
                int done = round(bank, config, centroids);
                if (done == 0) {
                    // every row alone in its cluster (the bank shrank below the cluster count): one exact merge
                    done = exact(bank, new ConsolidationConfig(bank.size() - 1, config.alpha(), config.beta(),
                            config.gamma()))[0];
                }
                merges += done;
                rounds++;
            }
            return new int[] {merges, rounds};
        } finally {
            centroids.close();
        }
    }

    /** One approximate round; returns the merges it made. */
    private static int round(ContextBank bank, ConsolidationConfig config, Tensor centroids) {
        int n = bank.size();
        double[] importance = importance(bank, config);
        int[] first = new int[n];
        int[] second = new int[n];
        float[] score = new float[n];
        int candidates = 0;
        try (Scope scope = Scope.inference()) {
            Tensor unit = UnitRows.of(bank.vectors());
            Tensor half = halves(importance);
            int[] assignment = SphericalKMeans.assign(unit, centroids);
            for (long[] members : SphericalKMeans.members(assignment, Math.toIntExact(centroids.size(0)), 0)) {
                if (members.length < 2) {
                    continue;
                }
                Tensor idx = Ops.longs(members);
                Tensor rows = unit.index_select(0, idx);
                Tensor h = half.index_select(0, idx);
                long block = Math.max(1, BLOCK_SCORES / members.length);
                for (long start = 0; start < members.length; start += block) {
                    long b = Math.min(block, members.length - start);
                    Tensor s = rows.narrow(0, start, b).mm(rows.t());
                    s.sub_(h.narrow(0, start, b).unsqueeze(1)).sub_(h.unsqueeze(0));
                    s.narrow(1, start, b).fill_diagonal_(Ops.scalar(Double.NEGATIVE_INFINITY));
                    Ops.TopK best = Ops.max(s, 1);
                    float[] values = Ops.floats(best.values());
                    long[] partner = Ops.toLongs(best.indices());
                    for (int r = 0; r < values.length; r++) {
                        first[candidates] = (int) members[(int) start + r];
                        second[candidates] = (int) members[(int) partner[r]];
                        score[candidates] = values[r];
                        candidates++;
                    }
                }
            }
        }
        return mergeDisjoint(bank, importance, first, second, score, candidates, n - config.capacity());
    }

    /** Merges candidate pairs best first, each row at most once, until {@code wanted} merges are done. */
    private static int mergeDisjoint(ContextBank bank, double[] importance, int[] first, int[] second, float[] score,
                                     int candidates, int wanted) {
        Integer[] order = new Integer[candidates];
        for (int i = 0; i < candidates; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Float.compare(score[b], score[a])
                : first[a] != first[b] ? Integer.compare(first[a], first[b]) : Integer.compare(second[a], second[b]));
        int n = bank.size();
        // merges move the last row into the dropped one's place: track where each round-start row is now
        int[] now = new int[n];
        int[] original = new int[n];
        for (int i = 0; i < n; i++) {
            now[i] = i;
            original[i] = i;
        }
        boolean[] used = new boolean[n];
        int merges = 0;
        for (int c = 0; c < candidates && merges < wanted; c++) {
            int i = first[order[c]];
            int j = second[order[c]];
            if (used[i] || used[j]) {
                continue;
            }
            used[i] = true;
            used[j] = true;
            int[] placed = merge(bank, now[i], now[j], importance[i], importance[j]);
            int moved = placed[1];
            if (moved != placed[0]) {
                int who = original[moved];
                original[placed[0]] = who;
                now[who] = placed[0];
            }
            merges++;
        }
        return merges;
    }

    /**
     * Merges rows i and j with weights mass * (1 + I), keeping the heavier row (i on a tie).
     * Returns {dropped row, row that moved into its place}.
     */
    private static int[] merge(ContextBank bank, int i, int j, double importanceI, double importanceJ) {
        double wi = bank.mass(i) * (1 + importanceI);
        double wj = bank.mass(j) * (1 + importanceJ);
        int keep = wi >= wj ? i : j;
        int drop = keep == i ? j : i;
        int moved = bank.merge(keep, drop, Math.max(wi, wj), Math.min(wi, wj));
        return new int[] {drop, moved};
    }

    /** I / 2 as a float tensor [n]. */
    private static Tensor halves(double[] importance) {
        float[] values = new float[importance.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (importance[i] / 2);
        }
        Tensor t = empty(values.length);
        t.data_ptr_float().capacity(values.length).put(values);
        return t;
    }
}
