package membank.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.bench.MatmulPeak;
import membank.bench.MemoryBenchmark;
import membank.bench.PeerModels;
import membank.bench.TrainBenchmark;
import membank.model.Flops;
import membank.nn.NativeRuntime;
import membank.nn.Precision;
import membank.util.Machine;

@Command(name = "peer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"membank against the Mixture-of-Chapters authors' PyTorch model on the same machine, in one run:",
                "training tokens/s (forward, backward, AdamW) of the same backbone, dense 4,096-token model and routed",
                "65,536-token model, batch 4 x 512, and each side's peak RSS. Every row runs in a fresh process with",
                "this process's environment: nothing is tuned by hand. Without --peer, membank's side alone."},
        footer = {"", "The peer needs Debian's PyTorch: apt-get install python3-torch python3-omegaconf python3-yaml.",
                "", "Examples:", "  membank bench peer --peer ../shared/peer", "  membank bench peer --precisions bf16 --models backbone,dense"})
final class BenchPeerCommand implements Callable<Integer> {
    private static final String ROW_PREFIX = "peer-row ";

    @Spec
    CommandSpec spec;

    @Option(names = "--peer", paramLabel = "DIR", description = "The folder holding bench_moc.py and moc/ (default: none).")
    Path peer;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE",
            description = "The Python that has PyTorch (default: ${DEFAULT-VALUE}, Debian's).")
    String python;

    @Option(names = "--models", split = ",", defaultValue = "backbone,dense,routed", paramLabel = "LIST",
            description = "Models to time: backbone, dense, routed (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--precisions", split = ",", defaultValue = "bf16,fp32", paramLabel = "LIST",
            description = "Precisions to time (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--steps", defaultValue = "4", paramLabel = "N", description = "Timed steps per row (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--row", hidden = true, paramLabel = "MODEL:PRECISION", description = "Internal: time one membank row here.")
    String row;

    /** One side's measurement of one row. */
    record Measured(double tokensPerSecond, double msPerStep, long peakBytes, int threads) {
        static final Measured MISSING = new Measured(Double.NaN, Double.NaN, 0, 0);
    }

    @Override
    public Integer call() {
        if (steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0, got " + steps + " and " + warmup);
        }
        List<PeerModels> chosen = models.stream().map(BenchPeerCommand::model).toList();
        List<Precision> chosenPrecisions = precisions.stream().map(Precision::resolve).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (row != null) {
            return timeOneRow(out);
        }
        Path script = peer == null ? null : peer.resolve("bench_moc.py");
        if (script != null && !Files.isRegularFile(script)) {
            throw new IllegalArgumentException("--peer " + peer + ": no bench_moc.py there (give the folder shared/peer)");
        }
        header(out);
        double peak16 = MatmulPeak.gflops(ScalarType.BFloat16, 2048, 5);
        double peak32 = MatmulPeak.gflops(ScalarType.Float, 2048, 5);
        out.printf(Locale.ROOT, "matmul peak (2048^3): bf16 %.0f GFLOP/s, fp32 %.0f GFLOP/s%n%n", peak16, peak32);
        out.println("| model | precision | peer tokens/s | membank tokens/s | membank / peer | membank ms/step | membank GFLOP/s"
                + " | peer peak RSS | membank peak RSS | threads peer / membank |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        out.flush();
        Map<Precision, Map<PeerModels, Measured>> ours = new EnumMap<>(Precision.class);
        for (Precision p : chosenPrecisions) {
            for (PeerModels m : chosen) {
                Measured theirs = script == null ? Measured.MISSING : peerRow(script, m, p);
                Measured mine = membankRow(m, p);
                ours.computeIfAbsent(p, x -> new EnumMap<>(PeerModels.class)).put(m, mine);
                printRow(out, m, p, theirs, mine, p == Precision.BF16 ? peak16 : peak32);
            }
        }
        out.println();
        ours.forEach((p, rows) -> printMemoryOverBackbone(out, p, rows));
        out.flush();
        return 0;
    }

    /** The child's side of {@link #membankRow}: one model, one precision, in this process. */
    private int timeOneRow(PrintWriter out) {
        String[] f = row.split(":");
        if (f.length != 2) {
            throw new IllegalArgumentException("--row " + row + ": expected MODEL:PRECISION");
        }
        PeerModels m = model(f[0]);
        TrainBenchmark.Result r = TrainBenchmark.run(m.name(), m.config(), Precision.resolve(f[1]), warmup, steps);
        out.printf(Locale.ROOT, "%s%f %f %d %d%n", ROW_PREFIX, r.tokensPerSecond(), r.msPerStep(), MemoryBenchmark.peakBytes(),
                torch.get_num_threads());
        out.flush();
        return 0;
    }

    private static void printRow(PrintWriter out, PeerModels m, Precision p, Measured theirs, Measured mine, double peak) {
        double gflops = Flops.trainStep(m.config().model(), 4, 512) * mine.tokensPerSecond() / (4 * 512) / 1e9;
        out.printf(Locale.ROOT, "| %s | %s | %s | %,.0f | %s | %.0f | %.0f (%.0f%% of peak) | %s | %s | %s / %d |%n", m.label(),
                p.label(), number(theirs.tokensPerSecond()), mine.tokensPerSecond(),
                ratio(mine.tokensPerSecond(), theirs.tokensPerSecond()), mine.msPerStep(), gflops, 100 * gflops / peak,
                gib(theirs.peakBytes()), gib(mine.peakBytes()), theirs.threads() > 0 ? Integer.toString(theirs.threads()) : "-",
                mine.threads());
        out.flush();
    }

    private static void printMemoryOverBackbone(PrintWriter out, Precision p, Map<PeerModels, Measured> rows) {
        Measured backbone = rows.get(PeerModels.BACKBONE);
        Measured dense = rows.get(PeerModels.DENSE);
        if (backbone != null && dense != null) {
            out.printf(Locale.ROOT, "%s: dense memory model step / backbone step = %.2f%n", p.label(),
                    dense.msPerStep() / backbone.msPerStep());
        }
    }

    private void header(PrintWriter out) {
        out.printf(Locale.ROOT, "bench peer: %s; membank %s; mean of %d steps after %d warmup (the peer: median)%n", Machine.describe(),
                NativeRuntime.describe(), steps, warmup);
        out.printf(Locale.ROOT, "environment: OMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s OPENBLAS_NUM_THREADS=%s GLIBC_TUNABLES=%s"
                        + " (the peer runs without %s, which membank's launcher set)%n", env("OMP_NUM_THREADS"), env("OMP_WAIT_POLICY"),
                env("OPENBLAS_NUM_THREADS"), env("GLIBC_TUNABLES"), launcherSet().isEmpty() ? "nothing" : String.join(", ", launcherSet()));
        out.println("membank config: membank bench train --preset base25m --set " + String.join(" --set ",
                PeerModels.DENSE.overrides().stream().map(s -> "'" + s + "'").toList()));
    }

    /** The variables the membank launcher exported itself (not set by the user). */
    private static List<String> launcherSet() {
        String names = System.getenv("MEMBANK_LAUNCHER_SET");
        return names == null || names.isBlank() ? List.of() : List.of(names.trim().split("\\s+"));
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "(unset)" : value;
    }

    private static PeerModels model(String name) {
        return switch (name) {
            case "backbone" -> PeerModels.BACKBONE;
            case "dense" -> PeerModels.DENSE;
            case "routed" -> PeerModels.ROUTED;
            default -> throw new IllegalArgumentException("--models: '" + name + "': allowed: backbone, dense, routed");
        };
    }

    private Measured membankRow(PeerModels m, Precision p) {
        List<String> command = ChildMembank.command(List.of("bench", "peer", "--row", m.name().toLowerCase(Locale.ROOT) + ":"
                + p.label(), "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup)));
        String what = "membank " + m.label() + " " + p.label();
        String line = lastStartingWith(run(new ProcessBuilder(command), what), ROW_PREFIX, what);
        String[] f = line.substring(ROW_PREFIX.length()).trim().split(" ");
        return new Measured(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
    }

    /** Runs the peer script under a wrapper that also prints its peak RSS (ru_maxrss, KiB on Linux). */
    private Measured peerRow(Path script, PeerModels m, Precision p) {
        List<String> args = new ArrayList<>(List.of(script.toString()));
        args.addAll(m.peerArguments());
        args.addAll(List.of("--precisions", p.label(), "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup)));
        String wrapper = "import runpy, resource, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__');"
                + " print('peak-rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)";
        List<String> command = new ArrayList<>(List.of(python, "-c", wrapper));
        command.addAll(args);
        String what = "peer " + m.label() + " " + p.label();
        ProcessBuilder builder = new ProcessBuilder(command);
        // The peer runs with its own defaults: what membank's launcher exported is not the user's choice.
        for (String name : launcherSet()) {
            builder.environment().remove(name);
        }
        List<String> lines = run(builder, what);
        String rss = lastStartingWith(lines, "peak-rss ", what);
        // "moc <bank> <routing> <precision> ms/step <x> tokens/s <y>"
        String[] f = lastStartingWith(lines, "moc ", what).trim().split("\\s+");
        // "moc params 27.53M, 2 threads, torch 1.13.0a0"
        Matcher threads = Pattern.compile("(\\d+) threads").matcher(lastStartingWith(lines, "moc params", what));
        return new Measured(Double.parseDouble(f[f.length - 1]), Double.parseDouble(f[f.length - 3]),
                Long.parseLong(rss.substring("peak-rss ".length()).trim()) * 1024, threads.find() ? Integer.parseInt(threads.group(1)) : 0);
    }

    /** Runs a command to its end and returns its stdout lines; fails naming {@code what}. */
    private static List<String> run(ProcessBuilder builder, String what) {
        List<String> lines = new ArrayList<>();
        try {
            Process child = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            }
            int exit = child.waitFor();
            if (exit != 0) {
                throw new IllegalStateException(what + ": exited with " + exit
                        + (lines.isEmpty() ? "" : " (last output: " + lines.get(lines.size() - 1) + ")"));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command().get(0) + " for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing " + what, e);
        }
    }

    private static String lastStartingWith(List<String> lines, String prefix, String what) {
        return lines.stream().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException(what + ": printed no '" + prefix.trim() + "' line"));
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(b) ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static String gib(long bytes) {
        return bytes <= 0 ? "-" : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
