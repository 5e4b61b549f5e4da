package membank.bench;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.RoutingMode;
import membank.memory.MemoryAttention;
import membank.memory.MemoryBank;
import membank.memory.MemoryKv;
import membank.memory.MemoryRead;
import membank.memory.RoutingTrace;
import membank.nn.Layers;
import membank.nn.Ops;
import membank.nn.Precision;
import membank.nn.Scope;
import membank.util.Machine;

/**
 * Times one memory layer alone: a bank parameter [N, d] read by a {@link MemoryAttention}, dense
 * or routed (Mixture of Chapters), on random normalised input. Three phases per row: a training
 * step (forward, backward, AdamW over the bank and the layer), a forward pass under
 * no-grad block that projects what it reads from the bank, and a forward pass over K/V
 * projected once beforehand (inference with a static bank). Peak RSS is read per phase from
 * /proc/self/status after resetting the high-water mark.
 */
public final class MemoryBenchmark {
    /** Row labels: dense first, then the routing modes. */
    public static final List<String> MODES = List.of("dense", "sequence", "prefix", "token");

    /**
     * The layer and the input.
     *
     * @param chapterTokens T, tokens per chapter
     * @param topK k, chapters each routing decision reads
     * @param batch sequences per step, each of {@code length} positions
     */
    public record Setup(long dim, long heads, long kvHeads, long headDim, long chapterTokens, int topK, int batch,
                        int length, String mixing, Precision precision, int warmup, int steps) {
        public long positions() {
            return (long) batch * length;
        }
    }

    /**
     * What one row runs: positions for the training and forward phases (0 skips the phase). Dense
     * rows that do not fit the memory budget run with fewer positions.
     */
    public record Plan(long bankTokens, String mode, long trainPositions, long forwardPositions) {
    }

    /**
     * One measured row. Times are medians over the timed steps, in ms; NaN where the phase did not
     * run. Peaks are VmHWM in bytes during the phase (the process baseline included).
     *
     * @param adamwMs the optimizer step alone (part of trainMs)
     * @param touchedChapters distinct routed chapters read by the batch (0 for dense)
     * @param otherCpu share of the machine's cores that other processes (and the hypervisor's
     *        steal) kept busy while the row ran, 0-1, NaN where /proc is unavailable: noise
     */
    public record Measured(long bankTokens, String mode, long trainPositions, double trainMs, double adamwMs,
                           long trainPeakBytes, long forwardPositions, double forwardMs, double cachedMs,
                           long forwardPeakBytes, long touchedChapters, long chapters, double otherCpu) {
        /** Marks the result line a child process prints for its parent. */
        public static final String PREFIX = "membank-row";

        /** One line, space-separated, for a parent process to parse with {@link #parse}. */
        public String toLine() {
            return String.join(" ", PREFIX, Long.toString(bankTokens), mode, Long.toString(trainPositions),
                    Double.toString(trainMs), Double.toString(adamwMs), Long.toString(trainPeakBytes),
                    Long.toString(forwardPositions), Double.toString(forwardMs), Double.toString(cachedMs),
                    Long.toString(forwardPeakBytes), Long.toString(touchedChapters), Long.toString(chapters),
                    Double.toString(otherCpu));
        }

        public static Measured parse(String line) {
            String[] f = line.trim().split(" ");
            if (f.length != 14 || !f[0].equals(PREFIX)) {
                throw new IllegalArgumentException("not a benchmark row: " + line);
            }
            return new Measured(Long.parseLong(f[1]), f[2], Long.parseLong(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Double.parseDouble(f[8]),
                    Double.parseDouble(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Double.parseDouble(f[13]));
        }
    }

    /**
     * One row of the report, at the full batch. A phase that did not fit the budget is NaN with a
     * note, or extrapolated from fewer positions with a note saying so.
     *
     * @param trainPeakBytes peak RSS of the training phase as measured (at the measured positions)
     */
    public record Row(long bankTokens, String mode, long touchedChapters, long chapters, double trainMs, double adamwMs,
                      double forwardMs, double cachedMs, long trainPeakBytes, long forwardPeakBytes, String trainNote,
                      String forwardNote, String failure, double otherCpu) {
        public boolean dense() {
            return "dense".equals(mode);
        }

        public boolean trainExtrapolated() {
            return trainNote != null && !Double.isNaN(trainMs);
        }

        public boolean forwardExtrapolated() {
            return forwardNote != null && !Double.isNaN(forwardMs);
        }
    }

    /** Positions a phase runs at: {@code first} alone, or also {@code second} to extrapolate; 0 = skipped. */
    record PhasePlan(long first, long second, String note) {
        static PhasePlan skip(String note) {
            return new PhasePlan(0, 0, note);
        }

        boolean extrapolates() {
            return second > 0;
        }
    }

    /**
     * Every row of the benchmark: each bank size, each mode. Dense phases whose score tensors
     * exceed {@code budgetBytes} are skipped, except at {@code compareSize}, where they run with
     * fewer positions at two batch sizes and the time is extrapolated linearly in positions.
     *
     * @param runner runs one plan (in this process or in a child process); may throw for a failed row
     */
    public static List<Row> runAll(Setup s, List<Long> sizes, List<String> modes, long compareSize, double budgetBytes,
                                   Function<Plan, Measured> runner, PrintWriter log) {
        List<Row> rows = new ArrayList<>();
        for (long size : sizes) {
            for (String mode : modes) {
                log.printf(Locale.ROOT, "bank %,d tokens, %s ...%n", size, mode);
                log.flush();
                Row row;
                try {
                    row = "dense".equals(mode) ? dense(s, size, size == compareSize, budgetBytes, runner)
                            : routed(runner.apply(new Plan(size, mode, s.positions(), s.positions())));
                } catch (RuntimeException e) {
                    row = new Row(size, mode, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, null, null,
                            String.valueOf(e.getMessage()), Double.NaN);
                }
                log.printf(Locale.ROOT, "bank %,d tokens, %s: train %.0f ms, forward %.0f ms, cached %.0f ms%s%n", size,
                        mode, row.trainMs(), row.forwardMs(), row.cachedMs(),
                        row.failure() == null ? "" : " (failed: " + row.failure() + ")");
                log.flush();
                rows.add(row);
            }
        }
        return rows;
    }

    private static Row routed(Measured m) {
        return new Row(m.bankTokens(), m.mode(), m.touchedChapters(), m.chapters(), m.trainMs(), m.adamwMs(),
                m.forwardMs(), m.cachedMs(), m.trainPeakBytes(), m.forwardPeakBytes(), null, null, null, m.otherCpu());
    }

    private static Row dense(Setup s, long size, boolean compare, double budget, Function<Plan, Measured> runner) {
        double available = Machine.availableMemory() - 1e9;
        PhasePlan train = densePhase(s, size, true, compare, budget, available);
        PhasePlan forward = densePhase(s, size, false, compare, budget, available);
        if (train.first() == 0 && forward.first() == 0) {
            return new Row(size, "dense", 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, train.note(),
                    forward.note(), null, Double.NaN);
        }
        Measured first = runner.apply(new Plan(size, "dense", train.first(), forward.first()));
        Measured second = null;
        if (train.extrapolates() || forward.extrapolates()) {
            second = runner.apply(new Plan(size, "dense", train.second(), forward.second()));
        }
        long full = s.positions();
        double trainMs = extrapolate(train, first.trainMs(), second == null ? Double.NaN : second.trainMs(), full);
        double adamwMs = first.adamwMs(); // the optimizer step does not depend on the batch
        double forwardMs = extrapolate(forward, first.forwardMs(), second == null ? Double.NaN : second.forwardMs(), full);
        double cachedMs = extrapolate(forward, first.cachedMs(), second == null ? Double.NaN : second.cachedMs(), full);
        String trainNote = train.note();
        if (train.extrapolates()) {
            trainNote += points(train, first.trainMs(), second.trainMs(), full, trainMs);
        }
        String forwardNote = forward.note();
        if (forward.extrapolates()) {
            forwardNote += points(forward, first.forwardMs(), second.forwardMs(), full, forwardMs);
        }
        return new Row(size, "dense", 0, 0, trainMs, adamwMs, forwardMs, cachedMs, first.trainPeakBytes(),
                first.forwardPeakBytes(), trainNote, forwardNote, null,
                second == null ? first.otherCpu() : Math.max(first.otherCpu(), second.otherCpu()));
    }

    /**
     * Bytes a dense phase needs besides its scores: the bank as fp32 (with its gradient and two
     * AdamW moments when training), K and V of the whole bank, and 1.5 GB for the JVM and libtorch.
     */
    static double denseOtherBytes(Setup s, long bankTokens, boolean train) {
        double bank = (double) bankTokens * s.dim() * 4;
        double kv = 2.0 * bankTokens * s.kvHeads() * s.headDim() * 4;
        return bank * (train ? 4 : 1) + kv * (train ? 2 : 1) + 1.5e9;
    }

    /**
     * Full positions when the score tensors fit the budget and the whole phase fits the RAM
     * available now ({@code available}, bytes); else, at the comparison size, the largest halving
     * that fits both; else skipped.
     */
    static PhasePlan densePhase(Setup s, long size, boolean train, boolean compare, double budget, double available) {
        long full = s.positions();
        String what = train ? "training" : "forward";
        double other = denseOtherBytes(s, size, train);
        double need = denseScoreBytes(s, size, full, train);
        if (need <= budget && need + other <= available) {
            return new PhasePlan(full, 0, null);
        }
        String over = need > budget
                ? String.format(Locale.ROOT, "dense %s needs %.3g GB of [rows, N] scores at %,d positions, over the %.3g GB budget",
                        what, need / 1e9, full, budget / 1e9)
                : String.format(Locale.ROOT, "dense %s needs about %.3g GB at %,d positions (scores %.3g GB), more than the"
                        + " %.3g GB available (MemAvailable minus 1 GB) when the row started", what, (need + other) / 1e9,
                        full, need / 1e9, available / 1e9);
        if (!compare) {
            return PhasePlan.skip(over + ": skipped");
        }
        long positions = full;
        while (positions > 2 && (denseScoreBytes(s, size, positions, train) > budget
                || denseScoreBytes(s, size, positions, train) + other > available)) {
            positions /= 2;
        }
        if (denseScoreBytes(s, size, positions, train) > budget || denseScoreBytes(s, size, positions, train) + other > available) {
            return PhasePlan.skip(over + ", even at 2 positions: skipped");
        }
        return new PhasePlan(positions, positions / 2, String.format(Locale.ROOT,
                "%s; measured at %,d and %,d positions and extrapolated linearly to %,d", over, positions, positions / 2, full));
    }

    private static String points(PhasePlan plan, double atFirst, double atSecond, long full, double result) {
        return String.format(Locale.ROOT, " (%,.0f ms at %,d, %,.0f ms at %,d positions -> %,.0f ms; proportional"
                        + " scaling of the larger point would give %,.0f ms)", atFirst, plan.first(), atSecond, plan.second(),
                result, atFirst * full / plan.first());
    }

    /**
     * Time at {@code full} positions from the line through the two measured points (the K/V
     * projection of the bank does not grow with positions, so a line with an intercept is closer
     * than proportional scaling); proportional when the two points are too noisy to give a slope.
     */
    static double extrapolate(PhasePlan plan, double atFirst, double atSecond, long full) {
        if (!plan.extrapolates()) {
            return plan.first() == 0 ? Double.NaN : atFirst;
        }
        double slope = (atFirst - atSecond) / (plan.first() - plan.second());
        if (!(slope > 0) || atFirst - slope * plan.first() < 0) {
            return atFirst * full / plan.first();
        }
        return atFirst + slope * (full - plan.first());
    }

    private MemoryBenchmark() {
    }

    /** Number of chapters of a bank: N / T. */
    public static long chapterCount(Setup s, long bankTokens) {
        return bankTokens / s.chapterTokens();
    }

    /**
     * Bytes of the dense [rows, N] score tensors alive at once: scores and their softmax in the
     * forward (both stay referenced until the step's scope closes), plus their two gradients in a
     * training step. rows = Hq x positions; bf16 autocast keeps both in bf16 (checked), fp32 in fp32.
     */
    public static double denseScoreBytes(Setup s, long bankTokens, long positions, boolean train) {
        double element = s.precision() == Precision.BF16 ? 2 : 4;
        return (double) s.heads() * positions * bankTokens * element * (train ? 4 : 2);
    }

    /** Runs one row in this process. */
    public static Measured run(Setup s, Plan plan) {
        boolean dense = "dense".equals(plan.mode());
        if (!dense && plan.bankTokens() % s.chapterTokens() != 0) {
            throw new IllegalArgumentException("bank of " + plan.bankTokens() + " tokens is not a whole number of "
                    + s.chapterTokens() + "-token chapters");
        }
        long chapters = dense ? 0 : chapterCount(s, plan.bankTokens());
        if (!dense && chapters < s.topK()) {
            throw new IllegalArgumentException("bank of " + plan.bankTokens() + " tokens has " + chapters
                    + " chapters, fewer than k = " + s.topK());
        }
        RoutingMode routing = dense ? RoutingMode.SEQUENCE : RoutingMode.of(plan.mode());
        ChapterConfig layout = dense ? null
                : ChapterConfig.of((int) chapters, s.topK()).with(b -> b.routing(routing).mixing(ChapterConfig.Mixing.of(s.mixing())));
        long[] cpuBefore = cpuTicks();
        long wallBefore = System.nanoTime();
        try (Scope row = Scope.tensors()) {
            manual_seed(0);
            MemoryBank bank = new MemoryBank(plan.bankTokens(), s.dim());
            MemoryConfig memory = new MemoryConfig.Builder().layers(List.of(0)).numTokens((int) plan.bankTokens())
                    .numHeads((int) s.heads()).numKvHeads((int) s.kvHeads()).headDim((int) s.headDim()).chapters(layout)
                    .build(null);
            MemoryAttention layer = new MemoryAttention(memory, s.dim());
            // o_proj starts at zero (a fresh layer is the identity); a trained layer's is not, and
            // a zero o_proj would leave q/k/v and the router without gradient.
            try (Scope ignored = Scope.noGrad()) {
                var named = layer.named_parameters();
                for (long i = 0; i < named.size(); i++) {
                    if (named.get(i).key().getString().startsWith("o_proj")) {
                        Ops.normal_(named.get(i).value(), 0.0, Layers.INIT_STD);
                    }
                }
            }
            double forwardMs = Double.NaN;
            double cachedMs = Double.NaN;
            long forwardPeak = 0;
            long touched = 0;
            if (plan.forwardPositions() > 0) {
                Tensor x = input(s, plan.forwardPositions());
                resetPeak();
                touched = dense ? 0 : touched(layer, bank, x, routing, s.precision());
                forwardMs = time(s, () -> {
                    try (Scope ignored = Scope.noGrad(); var cast = s.precision().autocast()) {
                        layer.forward(x, MemoryRead.of(bank.rows()).withRouting(routing));
                    }
                });
                forwardPeak = peakBytes();
                try (Scope cache = Scope.tensors()) {
                    MemoryKv kv;
                    try (Scope ignored = Scope.noGrad(); var cast = s.precision().autocast()) {
                        kv = layer.project(bank.rows());
                    }
                    cachedMs = time(s, () -> {
                        try (Scope ignored = Scope.noGrad(); var cast = s.precision().autocast()) {
                            layer.forward(x, MemoryRead.of(bank.rows()).withRouting(routing).withCached(kv));
                        }
                    });
                }
            }
            double trainMs = Double.NaN;
            double adamwMs = Double.NaN;
            long trainPeak = 0;
            if (plan.trainPositions() > 0) {
                Tensor x = input(s, plan.trainPositions());
                Tensor target = randn(Ops.shape(x));
                TensorVector params = new TensorVector();
                addAll(params, bank.parameters());
                addAll(params, layer.parameters());
                AdamW optimizer = new AdamW(params, new AdamWOptions(1e-4));
                resetPeak();
                double[] adamw = new double[s.warmup() + s.steps()];
                int[] step = {0};
                trainMs = time(s, () -> {
                    optimizer.zero_grad();
                    Tensor y;
                    try (var cast = s.precision().autocast()) {
                        y = layer.forward(x, MemoryRead.of(bank.rows()).withRouting(routing));
                    }
                    y.to(ScalarType.Float).sub(target).square().mean().backward();
                    long start = System.nanoTime();
                    optimizer.step();
                    adamw[step[0]++] = (System.nanoTime() - start) / 1e6;
                });
                adamwMs = median(Arrays.copyOfRange(adamw, s.warmup(), adamw.length));
                trainPeak = peakBytes();
            }
            return new Measured(plan.bankTokens(), plan.mode(), plan.trainPositions(), trainMs, adamwMs, trainPeak,
                    plan.forwardPositions(), forwardMs, cachedMs, forwardPeak, touched, chapters,
                    otherCpu(cpuBefore, cpuTicks(), (System.nanoTime() - wallBefore) / 1e9));
        }
    }

    /** Random input [b, l, d] normalised to unit RMS per position, as RMSNorm would leave it. */
    static Tensor input(Setup s, long positions) {
        long length = Math.min(positions, s.length());
        long batch = Math.max(1, positions / length);
        Tensor x = randn(new long[] {batch, length, s.dim()});
        Tensor rms = x.square().mean(new long[] {-1}, true, new ScalarTypeOptional()).add(Ops.scalar(1e-6)).sqrt();
        return x.div(rms);
    }

    /** Distinct routed chapters one forward pass over x reads. */
    private static long touched(MemoryAttention layer, MemoryBank bank, Tensor x, RoutingMode routing,
                                Precision precision) {
        try (Scope scope = Scope.inference();
             var cast = precision.autocast()) {
            RoutingTrace trace = new RoutingTrace();
            layer.forward(x, MemoryRead.of(bank.rows()).withRouting(routing).withTrace(trace, 0));
            return Arrays.stream(Ops.toLongs(trace.layers().get(0).routing().chapters())).distinct().count();
        }
    }

    /** Runs warmup + steps steps, each in its own Scope; the median of the timed ones in ms. */
    private static double time(Setup s, Runnable step) {
        double[] ms = new double[s.steps()];
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
            long start = System.nanoTime();
            try (Scope scope = Scope.tensors()) {
                step.run();
            }
            if (i >= s.warmup()) {
                ms[i - s.warmup()] = (System.nanoTime() - start) / 1e6;
            }
        }
        return median(ms);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void addAll(TensorVector into, TensorVector from) {
        for (long i = 0; i < from.size(); i++) {
            into.push_back(from.get(i));
        }
    }

    /** {busy ticks of the whole machine, ticks of this process}, from /proc; nulls where unavailable. */
    static long[] cpuTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
                busy += i < cpu.length ? Long.parseLong(cpu[i]) : 0;
            }
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] self = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return new long[] {busy, Long.parseLong(self[11]) + Long.parseLong(self[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Share of the cores busy with other work between two {@link #cpuTicks} readings (USER_HZ 100). */
    static double otherCpu(long[] before, long[] after, double seconds) {
        if (before == null || after == null || seconds <= 0) {
            return Double.NaN;
        }
        double other = (after[0] - before[0]) - (after[1] - before[1]);
        return Math.max(0, other / 100.0 / (seconds * Runtime.getRuntime().availableProcessors()));
    }

    /** Resets this process's VmHWM to its current RSS (Linux 4.0+); a no-op where that is not allowed. */
    public static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // the peak then covers the whole process lifetime
        }
    }

    /** VmHWM of this process in bytes, or 0 where /proc is unavailable. */
    public static long peakBytes() {
        return statusBytes("VmHWM:");
    }

    private static long statusBytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 0;
    }

    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}
