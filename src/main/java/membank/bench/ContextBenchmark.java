package membank.bench;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

import org.bytedeco.pytorch.Tensor;

import membank.context.Consolidation;
import membank.context.ConsolidationConfig;
import membank.context.ConsolidationReport;
import membank.context.ContextBank;
import membank.context.ContextIndex;
import membank.context.Hits;
import membank.context.IndexConfig;
import membank.nn.Scope;

/**
 * Times retrieval over a context bank: brute force against the clustered index at several probe
 * counts (latency per query, recall@k of the clustered answer against the brute-force one), on
 * the topic mixture of {@link MixtureVectors} and on structureless Gaussian vectors; then inserts
 * (append + update) and consolidation (approximate, halving a bank; exact, 10% of a small one).
 */
public final class ContextBenchmark {
    /** Rows per chunk when filling a bank, so the generator's temporaries stay small. */
    private static final int CHUNK = 65_536;

    /**
     * @param clusters 0 = the index default, about sqrt(vectors)
     * @param insert vectors appended after the search rows, in batches of {@code insertBatch}
     * @param consolidate rows of the bank halved by approximate consolidation
     * @param exactRows rows of the bank consolidated exactly by 10%
     */
    public record Setup(int vectors, int dim, int queries, int k, int clusters, List<Integer> probes, long seed,
                        int insert, int insertBatch, int consolidate, int exactRows) {
    }

    /** One probe count on one data set; latencies are means over the queries. */
    public record SearchRow(String data, int vectors, int clusters, double buildSeconds, int probe, double bruteMs,
                            double clusteredMs, double recall) {
        public double speedup() {
            return bruteMs / clusteredMs;
        }
    }

    /**
     * @param insertSeconds wall time of all appends and updates
     * @param splits clusters split while inserting; rebuilds: full re-clusters while inserting
     */
    public record Result(Setup setup, List<SearchRow> rows, double insertSeconds, int splits, int rebuilds,
                         ConsolidationReport approximate, int consolidationClusters, ConsolidationReport exact) {
        public double insertsPerSecond() {
            return setup.insert() / insertSeconds;
        }
    }

    private ContextBenchmark() {
    }

    public static Result run(Setup s, PrintWriter log) {
        List<SearchRow> rows = new ArrayList<>();
        MixtureVectors mixture = new MixtureVectors(s.dim(), topics(s.vectors()), 64, s.seed());
        ContextBank bank = new ContextBank(s.dim());
        fill(bank, s.vectors(), mixture::sample, log, "mixture");
        double insertSeconds;
        int splits;
        int rebuilds;
        long started = System.nanoTime();
        try (ContextIndex index = build(bank, s, log)) {
            double buildSeconds = (System.nanoTime() - started) / 1e9;
            rows.addAll(measure("mixture", index, buildSeconds, mixture.sample(s.queries()), s, log));
            log.printf(Locale.ROOT, "inserting %,d vectors in batches of %,d%n", s.insert(), s.insertBatch());
            log.flush();
            int buildsBefore = index.builds();
            long start = System.nanoTime();
            for (int done = 0; done < s.insert(); done += s.insertBatch()) {
                try (Scope scope = Scope.tensors()) {
                    bank.add(mixture.sample(Math.min(s.insertBatch(), s.insert() - done)), 1);
                }
                index.update();
            }
            insertSeconds = (System.nanoTime() - start) / 1e9;
            splits = index.splits();
            rebuilds = index.builds() - buildsBefore;
        }
        bank.clear();
        manual_seed(s.seed() + 1);
        fill(bank, s.vectors(), n -> randn(n, s.dim()), log, "random");
        started = System.nanoTime();
        try (ContextIndex index = build(bank, s, log)) {
            double buildSeconds = (System.nanoTime() - started) / 1e9;
            rows.addAll(measure("random", index, buildSeconds, randn(s.queries(), s.dim()), s, log));
        }
        bank.clear();
        ContextBank small = new ContextBank(s.dim());
        fill(small, s.consolidate(), mixture::sample, log, "consolidation");
        log.printf(Locale.ROOT, "consolidating %,d -> %,d rows (approximate)%n", s.consolidate(), s.consolidate() / 2);
        log.flush();
        ConsolidationReport approximate = Consolidation.consolidate(small, ConsolidationConfig.of(s.consolidate() / 2),
                Consolidation.Mode.APPROXIMATE, s.seed());
        small.clear();
        fill(small, s.exactRows(), mixture::sample, log, "exact consolidation");
        ConsolidationReport exact = Consolidation.consolidate(small, ConsolidationConfig.of(s.exactRows() - s.exactRows() / 10),
                Consolidation.Mode.EXACT, s.seed());
        return new Result(s, rows, insertSeconds, splits, rebuilds, approximate,
                ContextIndex.defaultClusters(s.consolidate()), exact);
    }

    /** Topics for a bank of n vectors: 64 subtopics each, about 61 points per subtopic, at least 4. */
    static int topics(int vectors) {
        return Math.max(4, vectors / (64 * 61));
    }

    private static void fill(ContextBank bank, int n, IntFunction<Tensor> source, PrintWriter log, String what) {
        log.printf(Locale.ROOT, "generating %,d x %d %s vectors%n", n, bank.dim(), what);
        log.flush();
        for (int done = 0; done < n; done += CHUNK) {
            try (Scope scope = Scope.tensors()) {
                bank.add(source.apply(Math.min(CHUNK, n - done)), 0);
            }
        }
    }

    private static ContextIndex build(ContextBank bank, Setup s, PrintWriter log) {
        log.printf(Locale.ROOT, "k-means over %,d vectors%n", bank.size());
        log.flush();
        return ContextIndex.build(bank, IndexConfig.defaults().withClusters(s.clusters()).withSeed(s.seed()));
    }

    /** Each query: brute force once, then the index at each probe count; means over the queries. */
    private static List<SearchRow> measure(String data, ContextIndex index, double buildSeconds, Tensor queries, Setup s,
                                           PrintWriter log) {
        int p = s.probes().size();
        double brute = 0;
        double[] clustered = new double[p];
        double[] recall = new double[p];
        log.printf(Locale.ROOT, "%s: %d queries, brute force and probes %s%n", data, s.queries(), s.probes());
        log.flush();
        for (int warm = 0; warm < Math.min(2, s.queries()); warm++) {
            try (Scope scope = Scope.tensors()) {
                index.bruteForce(queries.select(0, warm).contiguous(), s.k());
                index.search(queries.select(0, warm).contiguous(), s.k(), s.probes().get(0));
            }
        }
        for (int i = 0; i < s.queries(); i++) {
            try (Scope scope = Scope.tensors()) {
                Tensor q = queries.select(0, i).contiguous();
                long t0 = System.nanoTime();
                Hits exact = index.bruteForce(q, s.k());
                brute += System.nanoTime() - t0;
                for (int j = 0; j < p; j++) {
                    long t1 = System.nanoTime();
                    Hits found = index.search(q, s.k(), s.probes().get(j));
                    clustered[j] += System.nanoTime() - t1;
                    recall[j] += found.recall(exact);
                }
            }
        }
        List<SearchRow> out = new ArrayList<>();
        for (int j = 0; j < p; j++) {
            out.add(new SearchRow(data, index.bank().size(), index.clusterCount(), buildSeconds, s.probes().get(j),
                    brute / s.queries() / 1e6, clustered[j] / s.queries() / 1e6, recall[j] / s.queries()));
        }
        return out;
    }
}
