package membank.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import membank.bench.MatmulPeak;
import membank.bench.TrainBenchmark;
import membank.config.Overrides;
import membank.config.RunConfig;
import membank.nn.Precision;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed benchmarks that print tables.",
        subcommands = {BenchCommand.Train.class})
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

        @Override
        public Integer call() {
            ObjectNode root = config.resolve("small", List.of());
            RunConfig withMemory = RunConfig.parse(root);
            ObjectNode plainRoot = root.deepCopy();
            Overrides.apply(plainRoot, List.of("membank=null"));
            RunConfig plain = RunConfig.parse(plainRoot);
            var t = withMemory.training();
            System.out.printf(Locale.ROOT, "%s: batch %d x %d tokens, %d threads, bf16 in hardware: %s%n",
                    config.name("small"), t.batchSize(), t.seqLen(), torch.get_num_threads(), Precision.cpuHasBf16());
            double peak32 = MatmulPeak.gflops(ScalarType.Float, 2048, 5);
            double peak16 = MatmulPeak.gflops(ScalarType.BFloat16, 2048, 5);
            System.out.printf(Locale.ROOT, "matmul peak (2048^3): fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s%n%n", peak32, peak16);
            List<TrainBenchmark.Result> results = new ArrayList<>();
            for (String name : precisions) {
                Precision p = Precision.resolve(name);
                if (withMemory.model().hasMemory()) {
                    results.add(TrainBenchmark.run("memory", withMemory, p, warmup, steps));
                }
                results.add(TrainBenchmark.run("no memory", plain, p, warmup, steps));
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
}
