package membank.train;


import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;

import membank.config.TrainConfig;
import membank.data.TokenBatch;
import membank.data.TokenBatches;
import membank.memory.RoutingTrace;
import membank.model.MemoryLM;
import membank.model.TrainingLoss;
import membank.nn.Ops;
import membank.nn.Precision;
import membank.nn.Scope;

/**
 * One optimizer step at a time: gradient accumulation over micro-batches, autocast, global-norm
 * clipping, the learning-rate schedule, and skipping of steps whose loss or gradient is not finite.
 * Every tensor made during a step is released when it ends (an nn.Scope around the step).
 */
public final class Trainer {
    private final MemoryLM model;
    private final TrainConfig config;
    private final TokenBatches data;
    private final Precision precision;
    private final GroupedAdamW optimizer;
    private final LrSchedule schedule;
    private final GradientSync sync;
    private int nonFiniteInARow;

    public Trainer(MemoryLM model, TrainConfig config, TokenBatches data, Precision precision) {
        this(model, config, data, precision, DataParallel.SINGLE);
    }

    /** A trainer on {@code parallel}'s share of {@code data}, its gradients averaged with the other ranks'. */
    public Trainer(MemoryLM model, TrainConfig config, TokenBatches data, Precision precision, DataParallel parallel) {
        this.model = model;
        this.config = config;
        this.data = parallel.shard(data, config.batchSize());
        this.precision = precision;
        Map<String, Tensor> trainable = trainable(model);
        this.optimizer = GroupedAdamW.of(model, trainable, config);
        if (config.rowSparseBank()) {
            // the row-sparse update reads which rows moved from a sparse gradient: no dense [N, w] per step
            model.useSparseBankGradients();
        }
        this.schedule = LrSchedule.of(config);
        RowSparseAdamW bank = optimizer.bankRows();
        this.sync = parallel.attach(trainable, bank == null ? Set.of() : bank.names());
        if (parallel.worldSize() > 1) {
            model.readBanksWithoutRecomputation();
        }
    }

    private static Map<String, Tensor> trainable(MemoryLM model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            if (p.requires_grad()) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** Runs optimizer step {@code step} (0-based); throws once too many non-finite steps come in a row. */
    public StepStats step(int step) {
        return step(step, true);
    }

    /**
     * Runs optimizer step {@code step}; router statistics (a few small reductions and host syncs)
     * are computed only when {@code routerStats} is set, or when the step is skipped and logged anyway.
     */
    public StepStats step(int step, boolean routerStats) {
        model.train(true);
        long tokens = 0;
        double loss = 0;
        RoutingTrace lastTrace = null;
        try (Scope scope = Scope.tensors()) {
            optimizer.zeroGrad();
            for (int micro = 0; micro < config.gradAccum(); micro++) {
                TokenBatch batch = data.next();
                TrainingLoss value;
                try (var ignored = precision.autocast(model.device())) {
                    value = model.trainingLoss(Ops.longs(batch.inputs()), Ops.longs(batch.targets()), new RoutingTrace(sync::mean));
                }
                loss += value.lm().item_double() / config.gradAccum();
                Tensor objective = value.total().div(Ops.scalar(config.gradAccum()));
                sync.beforeBackward(objective, micro == config.gradAccum() - 1);
                objective.backward();
                tokens += (long) batch.size() * batch.length();
                lastTrace = value.trace();
            }
            // every rank decides on the same loss, so a non-finite step is skipped by all or by none
            loss = sync.mean(loss);
            double factor = schedule.factor(step);
            double gradNorm = Double.isFinite(loss) ? clip(optimizer) : Double.NaN;
            boolean skipped = !Double.isFinite(loss) || !Double.isFinite(gradNorm);
            Map<String, Object> router = routerStats || skipped ? routerMetrics(lastTrace) : Map.of();
            if (skipped) {
                optimizer.zeroGrad();
                return nonFinite(step, loss, gradNorm, factor, tokens, router);
            }
            nonFiniteInARow = 0;
            optimizer.setLrFactor(factor);
            optimizer.step();
            return new StepStats(step, loss, gradNorm, factor, tokens, false, router);
        }
    }

    private double clip(GroupedAdamW opt) {
        double max = config.gradClip() > 0 ? config.gradClip() : Double.POSITIVE_INFINITY;
        return opt.clipGradNorm(max);
    }

    /** Router losses, entropy and chapter usage of the last micro-batch (empty without routed memory). */
    private static Map<String, Object> routerMetrics(RoutingTrace trace) {
        if (trace.isEmpty()) {
            return Map.of();
        }
        try (Scope ignored = Scope.noGrad()) {
            return trace.metrics();
        }
    }

    private StepStats nonFinite(int step, double loss, double gradNorm, double factor, long tokens,
                                Map<String, Object> router) {
        nonFiniteInARow++;
        if (nonFiniteInARow >= config.maxNonFinite()) {
            throw new NonFiniteLossException("step " + step + ": loss " + loss + ", gradient norm " + gradNorm
                    + "; " + nonFiniteInARow + " non-finite steps in a row (training.max_nonfinite = "
                    + config.maxNonFinite() + "). Lower training.lr, raise training.warmup_steps or use"
                    + " --precision fp32");
        }
        return new StepStats(step, loss, gradNorm, factor, tokens, true, router);
    }

    /** What the gradient exchange measured so far (data-parallel runs only), for the log. */
    Map<String, Object> syncStats() {
        return sync.stats();
    }

    public int nonFiniteInARow() {
        return nonFiniteInARow;
    }

    public double lr(ParamGroup group) {
        return optimizer.lr(group);
    }

    public TokenBatches data() {
        return data;
    }

    /** The row-sparse bank optimizer ({@code bank_update = "rows_read"}), else null. */
    RowSparseAdamW bankRows() {
        return optimizer.bankRows();
    }

    /** The optimizer's state tensors by name. */
    Map<String, Tensor> optimizerState() {
        return optimizer.state();
    }

    /** The optimizer's state into checkpoint directory {@code dir}. */
    void saveOptimizer(Path dir) {
        optimizer.save(dir);
    }

    void restore(Path checkpoint, long dataPosition, int nonFinite) {
        optimizer.load(checkpoint);
        data.seek(dataPosition);
        nonFiniteInARow = nonFinite;
    }
}
