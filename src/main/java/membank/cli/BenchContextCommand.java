package membank.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.global.torch;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.bench.ContextBenchmark;
import membank.bench.ContextBenchmark.Result;
import membank.bench.ContextBenchmark.SearchRow;
import membank.context.ConsolidationReport;
import membank.util.AtomicFile;

@Command(name = "context", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Retrieval over a context bank: per-query latency of brute force (one pass over all vectors) against",
                "the clustered index (spherical k-means, reading the --probe nearest clusters), and recall@k of the",
                "clustered answer, on a synthetic topic mixture (latents have neighbourhoods; i.i.d. Gaussian vectors",
                "do not) and on structureless Gaussian vectors; then insert throughput (append + update) and",
                "consolidation time (approximate: halving a bank; exact: 10% of a small bank). Target: clustered at",
                "least 10x faster than brute force at recall@64 >= 0.9 with 1M vectors of width 512.",
                "Memory: about 3 copies of vectors x dim floats (bank, clustered copy, temporaries while building)."},
        footer = {"", "Examples:", "  membank bench context", "  membank bench context --quick",
                "  membank bench context --vectors 200000 --probe 4,8,16 --out /tmp/context.json"})
final class BenchContextCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--vectors", paramLabel = "N", description = "Bank size (default: 1,000,000; with --quick 20,000).")
    Integer vectors;

    @Option(names = "--dim", paramLabel = "D", description = "Vector width (default: 512; with --quick 64).")
    Integer dim;

    @Option(names = "--queries", paramLabel = "N", description = "Timed queries per data set (default: 200; with --quick 20).")
    Integer queries;

    @Option(names = "--k", paramLabel = "K", description = "Rows per query (default: 64; with --quick 16).")
    Integer k;

    @Option(names = "--clusters", paramLabel = "N", description = "Clusters (default: about sqrt(vectors), at most 4,096).")
    Integer clusters;

    @Option(names = "--probe", split = ",", paramLabel = "LIST",
            description = "Clusters read per query, one table row each (default: 8,16,32,64; with --quick 2,4,8).")
    List<Integer> probes;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of data and k-means (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--insert", paramLabel = "N", description = "Vectors appended for the insert row (default: 20,000; with --quick 2,000).")
    Integer insert;

    @Option(names = "--insert-batch", paramLabel = "N", description = "Vectors per append + update() (default: 1,000; with --quick 500).")
    Integer insertBatch;

    @Option(names = "--consolidate", paramLabel = "N",
            description = "Rows of the bank halved by approximate consolidation (default: 100,000; with --quick 5,000).")
    Integer consolidate;

    @Option(names = "--exact", paramLabel = "N",
            description = "Rows of the bank consolidated exactly by 10% (default: 2,048; with --quick 300).")
    Integer exact;

    @Option(names = "--quick", description = "Small sizes for a smoke run.")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the results as JSON.")
    Path out;

    @Override
    public Integer call() throws IOException {
        ContextBenchmark.Setup setup = setup();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "bench context: %,d vectors of width %d, %d queries, top %d, seed %d, %d threads%n%n",
                setup.vectors(), setup.dim(), setup.queries(), setup.k(), setup.seed(), torch.get_num_threads());
        o.flush();
        Result result = ContextBenchmark.run(setup, spec.commandLine().getErr());
        o.print(searchTable(result));
        o.println();
        o.print(operationsTable(result));
        o.println();
        o.println(target(result));
        if (out != null) {
            AtomicFile.write(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
            o.println("results: " + out);
        }
        o.flush();
        return 0;
    }

    static String searchTable(Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| data | vectors | clusters | k-means build | probe | brute force ms/query"
                + " | clustered ms/query | speed-up | recall@%d |%n", r.setup().k()));
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SearchRow row : r.rows()) {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f s | %d | %.2f | %.3f | %.1fx | %.3f |%n", row.data(),
                    row.vectors(), row.clusters(), row.buildSeconds(), row.probe(), row.bruteMs(), row.clusteredMs(),
                    row.speedup(), row.recall()));
        }
        return b.toString();
    }

    static String operationsTable(Result r) {
        ContextBenchmark.Setup s = r.setup();
        ConsolidationReport a = r.approximate();
        ConsolidationReport e = r.exact();
        StringBuilder b = new StringBuilder("| operation | what | time | rate |\n|---|---|---:|---:|\n");
        b.append(String.format(Locale.ROOT, "| insert | %,d mixture vectors appended to the %,d-vector bank in batches of %,d,"
                        + " each followed by update() (%d splits, %d rebuilds) | %.2f s | %,.0f vectors/s |%n", s.insert(),
                s.vectors(), s.insertBatch(), r.splits(), r.rebuilds(), r.insertSeconds(), r.insertsPerSecond()));
        b.append(String.format(Locale.ROOT, "| consolidate, approximate | %,d -> %,d mixture rows, %,d clusters, %d rounds"
                        + " | %.2f s | %,.0f merges/s |%n", a.rowsBefore(), a.rowsAfter(), r.consolidationClusters(), a.rounds(),
                a.millis() / 1e3, a.merges() / Math.max(1e-3, a.millis() / 1e3)));
        b.append(String.format(Locale.ROOT, "| consolidate, exact | %,d -> %,d mixture rows, best pair of the whole bank"
                        + " per merge | %.2f s | %,.0f merges/s |%n", e.rowsBefore(), e.rowsAfter(), e.millis() / 1e3,
                e.merges() / Math.max(1e-3, e.millis() / 1e3)));
        return b.toString();
    }

    /** The fewest probes on the mixture reaching recall 0.9, against the 10x target. */
    static String target(Result r) {
        Optional<SearchRow> first = r.rows().stream().filter(row -> row.data().equals("mixture") && row.recall() >= 0.9)
                .findFirst();
        if (first.isEmpty()) {
            return String.format(Locale.ROOT, "target (>= 10x faster than brute force at recall@%d >= 0.9): not met,"
                    + " no probe count reached recall 0.9 on the mixture", r.setup().k());
        }
        SearchRow row = first.get();
        return String.format(Locale.ROOT, "target (>= 10x faster than brute force at recall@%d >= 0.9): %s on the mixture"
                        + " at probe %d (%.1fx, recall %.3f)", r.setup().k(), row.speedup() >= 10 ? "met" : "not met",
                row.probe(), row.speedup(), row.recall());
    }

    private ContextBenchmark.Setup setup() {
        List<Integer> p = probes != null ? probes : quick ? List.of(2, 4, 8) : List.of(8, 16, 32, 64);
        ContextBenchmark.Setup s = new ContextBenchmark.Setup(pick(vectors, 20_000, 1_000_000), pick(dim, 64, 512),
                pick(queries, 20, 200), pick(k, 16, 64), clusters == null ? 0 : clusters, p, seed,
                pick(insert, 2_000, 20_000), pick(insertBatch, 500, 1_000), pick(consolidate, 5_000, 100_000),
                pick(exact, 300, 2_048));
        positive("--vectors", s.vectors(), 2);
        positive("--dim", s.dim(), 1);
        positive("--queries", s.queries(), 1);
        positive("--k", s.k(), 1);
        positive("--insert", s.insert(), 1);
        positive("--insert-batch", s.insertBatch(), 1);
        positive("--consolidate", s.consolidate(), 2);
        positive("--exact", s.exactRows(), 10);
        if (s.clusters() < 0 || s.clusters() > s.vectors()) {
            throw new IllegalArgumentException("--clusters " + s.clusters() + ": must be between 1 and --vectors ("
                    + s.vectors() + "); leave it out for about sqrt(vectors)");
        }
        for (int probe : p) {
            positive("--probe", probe, 1);
        }
        return s;
    }

    private Integer pick(Integer given, int quickValue, int fullValue) {
        return given != null ? given : quick ? quickValue : fullValue;
    }

    private static void positive(String option, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(option + " " + value + ": must be >= " + least);
        }
    }
}
