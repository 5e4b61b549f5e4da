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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.bench.KeptRows;
import membank.bench.MatmulPeak;
import membank.bench.MemoryBenchmark;
import membank.bench.MemoryBenchmarkChart;
import membank.bench.MemoryBenchmarkReport;
import membank.bench.TrainBenchmark;
import membank.config.Overrides;
import membank.config.RunConfig;
import membank.nn.Devices;
import membank.nn.NativeRuntime;
import membank.nn.Precision;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed benchmarks that print tables.",
        subcommands = {BenchCommand.Train.class, BenchPeerCommand.class, BenchCommand.Memory.class, BenchGenerateCommand.class, BenchContextCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Training tokens/s and achieved GFLOP/s in fp32 and bf16, with and without memory,",
                    "next to the measured matmul peak of this machine (random tokens; full steps with AdamW)."},
            footer = {"", "Examples:", "  membank bench train", "  membank bench train --preset base25m --steps 5"})
    static final class Train implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Timed steps per row (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--precisions", split = ",", defaultValue = "fp32,bf16", paramLabel = "LIST",
                description = "Precisions to time (default: ${DEFAULT-VALUE}).")
        List<String> precisions;

        @Mixin
        DeviceOption device = new DeviceOption();

        @Override
        public Integer call() {
            // an unusable device is refused before anything is timed
            Device where = device.resolve();
            ObjectNode root = config.resolve("small", List.of());
            RunConfig withMemory = RunConfig.parse(root);
            ObjectNode plainRoot = root.deepCopy();
            Overrides.apply(plainRoot, List.of("membank=null"));
            RunConfig plain = RunConfig.parse(plainRoot);
            var t = withMemory.training();
            System.out.printf(Locale.ROOT, "%s: batch %d x %d tokens, %s, %d threads, bf16 in hardware: %s%n",
                    config.name("small"), t.batchSize(), t.seqLen(), Devices.name(where), torch.get_num_threads(),
                    Precision.cpuHasBf16());
            double peak32 = MatmulPeak.gflops(ScalarType.Float, 2048, 5, where);
            double peak16 = MatmulPeak.gflops(ScalarType.BFloat16, 2048, 5, where);
            System.out.printf(Locale.ROOT, "matmul peak (2048^3): fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s%n%n", peak32, peak16);
            List<TrainBenchmark.Result> results = new ArrayList<>();
            for (String name : precisions) {
                Precision p = Precision.resolve(name);
                if (withMemory.model().hasMemory()) {
                    results.add(TrainBenchmark.run("memory", withMemory, p, warmup, steps, where));
                }
                results.add(TrainBenchmark.run("no memory", plain, p, warmup, steps, where));
            }
            System.out.println("| model | precision | ms/step | tokens/s | GFLOP/s | % of matmul peak |");
            System.out.println("|---|---|---|---|---|---|");
            for (TrainBenchmark.Result r : results) {
                double peak = r.precision() == Precision.BF16 ? peak16 : peak32;
                System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %,.0f | %.1f | %.0f%% |%n", r.label(), r.precision().label(),
                        r.msPerStep(), r.tokensPerSecond(), r.gflops(), 100 * r.gflops() / peak);
            }
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Speed and peak RAM of ONE memory layer (a bank [N, d] read by memory attention), dense and",
                    "routed (Mixture of Chapters), as the bank grows at fixed k*T: a training step (forward, backward,",
                    "AdamW), a forward pass under no-grad, and a forward pass over K/V projected once (inference).",
                    "Random normalised input. Prints a Markdown table, the ratios of targets (a)-(d) and writes a PNG.",
                    "Each row runs in a fresh JVM (same classpath and environment) so its peak RSS is its own."},
            footer = {"", "Examples:", "  membank bench memory", "  membank bench memory --quick --png /tmp/m.png",
                    "  membank bench memory --sizes 16384,65536 --modes sequence,token --precision fp32"})
    static final class Memory implements Callable<Integer> {
        /** The launcher's allocator setting (docs/benchmarks.md), given to child JVMs that lack one. */
        private static final String GLIBC_TUNABLES = NativeRuntime.LAUNCHER_TUNABLES;

        @Spec
        CommandSpec spec;

        @Option(names = "--sizes", split = ",", paramLabel = "LIST",
                description = "Bank sizes in tokens (default: 16384,65536,262144,1048576; with --quick 1024,4096).")
        List<Long> sizes;

        @Option(names = "--modes", split = ",", defaultValue = "dense,sequence,prefix,token", paramLabel = "LIST",
                description = "dense and/or routing modes sequence, prefix, token (default: ${DEFAULT-VALUE}).")
        List<String> modes;

        @Option(names = "--precision", defaultValue = "auto", paramLabel = "P",
                description = "auto, fp32 or bf16 (autocast, fp32 master weights); auto = bf16 when the CPU has it.")
        String precision;

        @Option(names = "--steps", defaultValue = "3", paramLabel = "N", description = "Timed steps per phase; the median is reported (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads (default: as many as query heads, 8).")
        Integer kvHeads;

        @Option(names = "--mixing", defaultValue = "independent", paramLabel = "M",
                description = "Mixing of routed chapters: independent or joint (default: ${DEFAULT-VALUE}).")
        String mixing;

        @Option(names = "--max-gb", defaultValue = "20", paramLabel = "GB",
                description = "Budget for dense [rows, N] score tensors; larger dense phases are skipped (default: ${DEFAULT-VALUE}).")
        double maxGb;

        @Option(names = "--compare-size", paramLabel = "N",
                description = "Bank size of target (d), routed vs dense; dense runs there with fewer query positions if it"
                        + " does not fit, extrapolated linearly (default: 262144; with --quick the largest size).")
        Long compareSize;

        @Option(names = "--png", defaultValue = "docs/bench-memory.png", paramLabel = "PATH",
                description = "Chart to write (default: ${DEFAULT-VALUE}).")
        Path png;

        @Option(names = "--quick", description = "Tiny layer and banks (d 64, 4 heads, T 16, k 4, batch 2 x 32) for a smoke run.")
        boolean quick;

        @Option(names = "--fork", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Run each row in a fresh JVM for per-row peak RSS (default: ${DEFAULT-VALUE});"
                        + " --no-fork runs in this JVM and peaks include what earlier rows left in the heap.")
        boolean fork;

        @Option(names = "--results", paramLabel = "FILE",
                description = {"Keep each measured row in FILE as it completes and reuse rows already there (same"
                        + " options), so an interrupted run resumes where it stopped (default: none)."})
        Path results;

        @Option(names = "--row", hidden = true, paramLabel = "SIZE:MODE:TRAIN:FORWARD",
                description = "Internal: measure one row (positions per phase, 0 = skip) and print it as one line.")
        String row;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            MemoryBenchmark.Setup setup = setup();
            if (row != null) {
                String[] f = row.split(":");
                if (f.length != 4) {
                    throw new IllegalArgumentException("--row " + row + ": expected SIZE:MODE:TRAIN:FORWARD");
                }
                var plan = new MemoryBenchmark.Plan(Long.parseLong(f[0]), f[1], Long.parseLong(f[2]), Long.parseLong(f[3]));
                out.println(MemoryBenchmark.run(setup, plan).toLine());
                out.flush();
                return 0;
            }
            List<Long> bankSizes = sizes != null ? sizes : quick ? List.of(1024L, 4096L)
                    : List.of(16_384L, 65_536L, 262_144L, 1_048_576L);
            long compare = compareSize != null ? compareSize
                    : quick ? bankSizes.stream().mapToLong(Long::longValue).max().orElse(0) : 262_144L;
            validate(setup, bankSizes);
            double budget = maxGb * 1e9;
            String budgetNote = String.format(Locale.ROOT, "%.3g GB (--max-gb), and each dense phase with its bank state"
                    + " must fit MemAvailable minus 1 GB when its row starts", budget / 1e9);
            out.printf(Locale.ROOT, "bench memory: one memory layer, d %d, %d query heads / %d kv heads of %d, chapters of %d"
                            + " tokens, k %d (k*T %,d), batch %d x %d, mixing %s, precision %s (bf16 in hardware: %s),"
                            + " %d threads, median of %d steps after %d warmup%n", setup.dim(), setup.heads(), setup.kvHeads(),
                    setup.headDim(), setup.chapterTokens(), setup.topK(), setup.chapterTokens() * setup.topK(), setup.batch(),
                    setup.length(), setup.mixing(), setup.precision().label(), Precision.cpuHasBf16(),
                    torch.get_num_threads(), setup.steps(), setup.warmup());
            if (fork) {
                out.printf(Locale.ROOT, "child JVMs: OMP_WAIT_POLICY=%s OPENBLAS_NUM_THREADS=%s GLIBC_TUNABLES=%s%n",
                        childEnv("OMP_WAIT_POLICY", "PASSIVE"), childEnv("OPENBLAS_NUM_THREADS", "1"),
                        childEnv("GLIBC_TUNABLES", GLIBC_TUNABLES));
            }
            out.printf(Locale.ROOT, "dense budget for [rows, N] score tensors: %s; peak RSS %s%n%n", budgetNote,
                    fork ? "per row, each row in a fresh JVM" : "in this JVM (includes what earlier rows left in the heap)");
            out.flush();
            PrintWriter log = spec.commandLine().getErr();
            Function<MemoryBenchmark.Plan, MemoryBenchmark.Measured> runner =
                    fork ? plan -> forked(setup, plan) : plan -> MemoryBenchmark.run(setup, plan);
            if (results != null) {
                runner = new KeptRows(results, setup).around(runner, log);
            }
            List<MemoryBenchmark.Row> rows = MemoryBenchmark.runAll(setup, bankSizes, modes, compare, budget, runner, log);
            out.print(MemoryBenchmarkReport.table(rows));
            String notes = MemoryBenchmarkReport.notes(rows);
            if (!notes.isEmpty()) {
                out.println();
                out.print(notes);
            }
            out.println();
            out.print(MemoryBenchmarkReport.targets(rows, bankSizes, compare));
            MemoryBenchmarkChart.write(rows, png, String.format(Locale.ROOT, "memory layer, k*T %,d, %s",
                    setup.chapterTokens() * setup.topK(), setup.precision().label()));
            out.println();
            out.println("chart: " + png);
            out.flush();
            return 0;
        }

        private static String childEnv(String name, String fallback) {
            String value = System.getenv(name);
            return value != null ? value : fallback;
        }

        private MemoryBenchmark.Setup setup() {
            Precision p = Precision.resolve(precision);
            if (quick) {
                return new MemoryBenchmark.Setup(64, 4, kvHeads != null ? kvHeads : 4, 16, 16, 4, 2, 32, mixing, p, warmup, steps);
            }
            return new MemoryBenchmark.Setup(512, 8, kvHeads != null ? kvHeads : 8, 64, 64, 64, 4, 512, mixing, p, warmup, steps);
        }

        private void validate(MemoryBenchmark.Setup s, List<Long> bankSizes) {
            if (steps < 1 || warmup < 0) {
                throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0, got " + steps + " and " + warmup);
            }
            if (s.kvHeads() < 1 || s.heads() % s.kvHeads() != 0) {
                throw new IllegalArgumentException("--kv-heads " + s.kvHeads() + ": must divide the " + s.heads() + " query heads");
            }
            if (!mixing.equals("independent") && !mixing.equals("joint")) {
                throw new IllegalArgumentException("--mixing " + mixing + ": allowed: independent, joint");
            }
            for (String mode : modes) {
                if (!MemoryBenchmark.MODES.contains(mode)) {
                    throw new IllegalArgumentException("--modes: '" + mode + "': allowed: " + String.join(", ", MemoryBenchmark.MODES));
                }
            }
            for (long size : bankSizes) {
                if (size < s.chapterTokens() * s.topK() || size % s.chapterTokens() != 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "--sizes: %d: a bank must be a multiple"
                            + " of the %d-token chapters and hold at least k = %d of them", size, s.chapterTokens(), s.topK()));
                }
            }
        }

        /** Runs one row in a child JVM with this JVM's classpath and the launcher's environment. */
        private MemoryBenchmark.Measured forked(MemoryBenchmark.Setup s, MemoryBenchmark.Plan plan) {
            List<String> command = ChildMembank.command(List.of("--threads", Integer.toString(torch.get_num_threads()), "bench", "memory",
                    "--row", plan.bankTokens() + ":" + plan.mode() + ":" + plan.trainPositions() + ":" + plan.forwardPositions(),
                    "--precision", s.precision().label(), "--steps", Integer.toString(s.steps()), "--warmup",
                    Integer.toString(s.warmup()), "--kv-heads", Long.toString(s.kvHeads()), "--mixing", s.mixing()));
            if (quick) {
                command.add("--quick");
            }
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            builder.environment().putIfAbsent("OPENBLAS_NUM_THREADS", "1");
            builder.environment().putIfAbsent("GLIBC_TUNABLES", GLIBC_TUNABLES);
            Path errors = null;
            try {
                errors = Files.createTempFile("membank-bench-row", ".err");
                builder.redirectError(errors.toFile());
                Process child = builder.start();
                String result = null;
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.startsWith(MemoryBenchmark.Measured.PREFIX)) {
                            result = line;
                        }
                    }
                }
                int exit = child.waitFor();
                List<String> stderr = Files.readAllLines(errors, StandardCharsets.UTF_8);
                PrintWriter err = spec.commandLine().getErr();
                stderr.forEach(err::println);
                err.flush();
                if (exit != 0 || result == null) {
                    String last = stderr.stream().filter(l -> l.contains("Error") || l.contains("Exception")).findFirst()
                            .or(() -> stderr.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b)).orElse("");
                    throw new IllegalStateException("child JVM exited with " + exit
                            + (exit == 137 ? " (SIGKILL: most likely out of memory)" : "")
                            + (last.isEmpty() ? "" : ": " + last.trim()));
                }
                return MemoryBenchmark.Measured.parse(result);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run a child JVM for " + plan, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring " + plan, e);
            } finally {
                if (errors != null) {
                    try {
                        Files.deleteIfExists(errors);
                    } catch (IOException ignored) {
                        // a stray temporary file is harmless
                    }
                }
            }
        }
    }
}
