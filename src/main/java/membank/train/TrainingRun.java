package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import me.tongfei.progressbar.ProgressBar;

import membank.config.ConfigJson;
import membank.config.ParameterCount;
import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.TokenBatches;
import membank.data.Split;
import membank.eval.Evaluator;
import membank.eval.RecallResult;
import membank.memory.BankForm;
import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.model.ParameterRole;
import membank.nn.NativeError;
import membank.nn.Precision;
import membank.util.AtomicFile;
import membank.util.Directories;
import membank.util.Progress;

/**
 * A training run in a directory: the model there (config.json, model.safetensors,
 * tokenizer.json) is the latest result, metrics.jsonl the log, and checkpoints/step-N the states
 * a run can resume from exactly (weights, optimizer.safetensors, trainer_state.json, and with
 * training.bank_update = "rows_read" bank_optimizer.safetensors).
 */
public final class TrainingRun {
    public static final String METRICS = "metrics.jsonl";
    static final String CHECKPOINTS = "checkpoints";
    /** The row-sparse bank's moments and step count (training.bank_update = "rows_read" only). */
    static final String BANK_OPTIMIZER = GroupedAdamW.BANK_FILE;
    static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEEP_CHECKPOINTS = 2;
    static final int PROBE_BATCH = 64;

    private final RunConfig run;
    private final Path dir;
    private final Precision precision;
    private final MemoryLM model;
    private final Corpus corpus;
    private final Trainer trainer;
    private final TrainerState start;
    private final ModelWriter writer;
    private final String saved;
    private final DataParallel parallel;
    private boolean showProgress = true;

    /** {@code run} with the data block {@code corpus} resolved; {@code saved} names what the writer saves ("model", "adapter"). */
    private TrainingRun(RunConfig run, Path dir, Precision precision, MemoryLM model, Corpus corpus, TrainerState start,
                        ModelWriter writer, String saved, DataParallel parallel) {
        this.run = run;
        this.dir = dir;
        this.precision = precision;
        this.model = model;
        this.writer = writer;
        this.saved = saved;
        TrainConfig t = run.training();
        this.corpus = corpus;
        this.parallel = parallel;
        // before the optimizer: its state is made on the parameters' device
        model.to(parallel.device(), false);
        this.trainer = new Trainer(model, t, corpus.trainingBatches(new BatchSpec(t.batchSize(), t.seqLen())), precision, parallel);
        this.start = start;
    }

    /**
     * A new run from step 0; {@code dir} must not hold another run's checkpoints. The data is checked
     * (and the split chosen and recorded in the run's config) before anything is written.
     */
    public static TrainingRun fresh(RunConfig run, Path dir, Precision precision) {
        return fresh(run, Corpus.open(run.training(), run.model()), dir, precision);
    }

    /** {@link #fresh(RunConfig, Path, Precision)} on a corpus already opened (and so checked) by the caller. */
    public static TrainingRun fresh(RunConfig run, Corpus corpus, Path dir, Precision precision) {
        return fresh(run, corpus, dir, precision, DataParallel.SINGLE);
    }

    /**
     * {@link #fresh(RunConfig, Corpus, Path, Precision)} as one rank of a data-parallel job: every
     * rank builds the same model from the seed, trains on its rows of each global batch, and only
     * rank 0 writes {@code dir}.
     */
    public static TrainingRun fresh(RunConfig run, Corpus corpus, Path dir, Precision precision, DataParallel parallel) {
        refuseExistingRun(dir);
        RunConfig resolved = run.withData(corpus.data());
        manual_seed(run.training().seed());
        MemoryLM model = NativeError.during(String.format("building the model (%,d parameters)", ParameterCount.total(run.model())),
                () -> new MemoryLM(run.model()));
        return started(new TrainingRun(resolved, dir, precision, model, corpus,
                new TrainerState(0, 0, 0, 0, 0), wholeModel(resolved), "model", parallel));
    }

    /**
     * A run that fine-tunes {@code model} (a pretrained base with adapters, its trainable tensors
     * already chosen) on {@code corpus} (from {@link Corpus#open}, so already checked) and writes it
     * with {@code writer}; it cannot be resumed.
     *
     * @param run the run's config with {@code corpus}'s data block ({@link RunConfig#withData}), as the writer records it
     * @param saved what the writer saves, as messages name it: "model" or "adapter"
     */
    public static TrainingRun adapting(RunConfig run, Path dir, Precision precision, MemoryLM model, Corpus corpus,
                                       ModelWriter writer, String saved) {
        refuseExistingRun(dir);
        return adapting(run, dir, precision, model, corpus, writer, saved, DataParallel.SINGLE);
    }

    /** {@link #adapting(RunConfig, Path, Precision, MemoryLM, Corpus, ModelWriter, String)} as one rank of a data-parallel job. */
    public static TrainingRun adapting(RunConfig run, Path dir, Precision precision, MemoryLM model, Corpus corpus,
                                       ModelWriter writer, String saved, DataParallel parallel) {
        refuseExistingRun(dir);
        return started(new TrainingRun(run, dir, precision, model, corpus, new TrainerState(0, 0, 0, 0, 0), writer, saved, parallel));
    }

    private static void refuseExistingRun(Path dir) {
        if (Files.isDirectory(dir.resolve(CHECKPOINTS))) {
            throw new IllegalArgumentException(dir + " already holds a training run; use --resume " + dir
                    + " to continue it, or choose another --out");
        }
    }

    /** The run directory starts with the tokenizer and an empty log. */
    private static TrainingRun started(TrainingRun run) {
        if (!run.parallel.writes()) {
            return run.quiet();
        }
        RunTokenizer.copyInto(run.run.training().data().tokenizer(), run.dir);
        new MetricsLog(run.dir.resolve(METRICS), false).close();
        return run;
    }

    private static ModelWriter wholeModel(RunConfig run) {
        return (model, dir) -> Checkpoint.save(model, dir, run.toJson());
    }

    /** Continues from the latest checkpoint in {@code dir}; {@code steps} (nullable) extends the run. */
    public static TrainingRun resume(Path dir, Integer steps, Precision precision) {
        return resume(dir, steps, precision, model -> { });
    }

    /**
     * As {@link #resume(Path, Integer, Precision)}, with {@code prepare} applied to the loaded model
     * before the optimizer is built: a run that froze parameters must freeze them again, or the
     * optimizer's groups would not match its saved state. The data is checked again, and split as
     * the run recorded.
     */
    public static TrainingRun resume(Path dir, Integer steps, Precision precision, Consumer<MemoryLM> prepare) {
        return resume(dir, steps, precision, prepare, DataParallel.SINGLE);
    }

    /** {@link #resume(Path, Integer, Precision, Consumer)} as one rank of a data-parallel job: every rank reads the same checkpoint. */
    public static TrainingRun resume(Path dir, Integer steps, Precision precision, Consumer<MemoryLM> prepare,
                                     DataParallel parallel) {
        Path latest = latestCheckpoint(dir);
        RunConfig run = savedConfig(latest, steps);
        Corpus corpus = Corpus.open(run.training(), run.model());
        RunConfig resolved = run.withData(corpus.data());
        TrainerState state = readState(latest);
        MemoryLM model = Checkpoint.load(latest, BankForm.TRAINABLE);
        Checkpoint.loadBankCopies(model, latest);
        prepare.accept(model);
        TrainingRun resumed = new TrainingRun(resolved, dir, precision, model, corpus, state, wholeModel(resolved), "model", parallel);
        resumed.trainer.restore(latest, state.dataPosition(), state.nonFiniteInARow());
        if (!parallel.writes()) {
            return resumed.quiet();
        }
        RunTokenizer.copyInto(resolved.training().data().tokenizer(), dir);
        truncateMetrics(dir.resolve(METRICS), state.step());
        return resumed;
    }

    /** The configuration {@link #resume} continues the run in {@code dir} with ({@code steps}, nullable, extends it). */
    public static RunConfig resumedConfig(Path dir, Integer steps) {
        return savedConfig(latestCheckpoint(dir), steps);
    }

    private static RunConfig savedConfig(Path checkpoint, Integer steps) {
        ObjectNode config = (ObjectNode) ConfigJson.read(checkpoint.resolve(Checkpoint.CONFIG));
        if (steps != null) {
            ((ObjectNode) config.with("training")).put("steps", steps);
        }
        return RunConfig.parse(config);
    }

    public TrainingRun quiet() {
        showProgress = false;
        return this;
    }

    public MemoryLM model() {
        return model;
    }

    Trainer trainer() {
        return trainer;
    }

    public Corpus corpus() {
        return corpus;
    }

    /** Trains to training.steps, evaluating and checkpointing on the way, and saves the final model. */
    public RunSummary train() {
        return trainUntil(run.training().steps());
    }

    /**
     * Trains up to step {@code stop} (at most training.steps). Stopping early writes a checkpoint
     * there, as an interruption right after a save would leave it; reaching the end saves the model.
     */
    public RunSummary trainUntil(int stop) {
        TrainConfig t = run.training();
        int end = Math.min(stop, t.steps());
        long tokens = start.tokensSeen();
        double seconds = start.seconds();
        double lastLoss = Double.NaN;
        Map<String, Object> lastEval = Map.of();
        try (MetricsLog metrics = parallel.writes() ? new MetricsLog(dir.resolve(METRICS), true) : MetricsLog.discarding();
             ProgressBar bar = Progress.bar("train", t.steps(), showProgress)) {
            bar.stepTo(start.step());
            for (int step = start.step(); step < end; step++) {
                long began = System.nanoTime();
                int current = step;
                StepStats stats = NativeError.during("training step " + (step + 1) + " (batch " + t.batchSize() + " x seq_len "
                        + t.seqLen() + ")", () -> trainer.step(current, isLogged(current + 1, t)));
                seconds += (System.nanoTime() - began) / 1e9;
                // equal shards: every rank trained on as many tokens as this one
            tokens += stats.tokens() * parallel.worldSize();
                if (!stats.skipped()) {
                    lastLoss = stats.loss();
                }
                int done = step + 1;
                logStep(metrics, stats, tokens, seconds, t, done);
                if (t.evalEvery() > 0 && done % t.evalEvery() == 0 && done < t.steps()) {
                    lastEval = evaluate(false);
                    metrics.write(withStep(done, lastEval));
                }
                if (t.saveEvery() > 0 && done % t.saveEvery() == 0 && done < t.steps()) {
                    saveCheckpoint(new TrainerState(done, trainer.data().position(), trainer.nonFiniteInARow(), tokens, seconds));
                }
                bar.step();
                bar.setExtraMessage(String.format(" loss %.4f", lastLoss));
            }
            saveCheckpoint(new TrainerState(end, trainer.data().position(), trainer.nonFiniteInARow(), tokens, seconds));
            if (end == t.steps()) {
                if (parallel.writes()) {
                    writer.write(model, dir);
                }
                lastEval = evaluateSaved();
                metrics.write(withStep(end, lastEval));
            }
        }
        return summary(lastLoss, lastEval, tokens, seconds);
    }

    /** Steps (1-based count done) whose record goes to metrics.jsonl even when not skipped. */
    private static boolean isLogged(int done, TrainConfig t) {
        return done % Math.max(1, t.logEvery()) == 0 || done == t.steps();
    }

    private void logStep(MetricsLog metrics, StepStats stats, long tokens, double seconds, TrainConfig t, int done) {
        if (!stats.skipped() && !isLogged(done, t)) {
            return;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", done);
        record.put("loss", stats.loss());
        record.put("grad_norm", stats.gradNorm());
        record.put("lr", t.lr() * stats.lrFactor());
        record.put("tokens", tokens);
        record.put("tokens_per_s", tokens / Math.max(seconds, 1e-9));
        record.put("elapsed_s", seconds);
        record.putAll(stats.router());
        record.putAll(trainer.syncStats());
        if (stats.skipped()) {
            record.put("skipped", true);
        }
        metrics.write(record);
    }

    /** The final evaluation, of a model already saved: its failure must not hide where the model is. */
    private Map<String, Object> evaluateSaved() {
        try {
            return evaluate(true);
        } catch (RuntimeException e) {
            throw new AfterTrainingException(saved, dir, "the evaluation", e);
        }
    }

    /** Validation loss, and recall on the knowledge set's seen and held-out wordings when training on it. */
    private Map<String, Object> evaluate(boolean full) {
        return NativeError.during("evaluating the model", () -> measure(full));
    }

    private Map<String, Object> measure(boolean full) {
        TrainConfig t = run.training();
        Evaluator evaluator = new Evaluator(model, precision, false);
        Map<String, Object> out = new LinkedHashMap<>();
        try (TokenBatches validation = corpus.validationBatches(new BatchSpec(t.batchSize(), t.seqLen()))) {
            double loss = evaluator.loss(validation, t.evalBatches());
            out.put("val_loss", loss);
            out.put("val_ppl", Evaluator.perplexity(loss));
        }
        if (corpus.knowledge() != null) {
            out.put("recall_seen", evaluator.recall(corpus.tokenizer(), corpus.knowledge().probes(Split.SEEN), PROBE_BATCH));
            if (full) {
                out.put("recall_heldout", evaluator.recall(corpus.tokenizer(), corpus.knowledge().probes(Split.HELDOUT), PROBE_BATCH));
            }
        }
        return out;
    }

    private static Map<String, Object> withStep(int step, Map<String, Object> eval) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        eval.forEach((k, v) -> record.put(k, v instanceof RecallResult r ? r.accuracy() : v));
        return record;
    }

    private RunSummary summary(double trainLoss, Map<String, Object> eval, long tokens, double seconds) {
        RecallResult recall = (RecallResult) eval.get("recall_seen");
        double chance = corpus.knowledge() == null ? Double.NaN : corpus.knowledge().chanceAccuracy();
        return new RunSummary(dir, run.training().steps(), trainLoss, (Double) eval.getOrDefault("val_loss", Double.NaN),
                recall, (RecallResult) eval.get("recall_heldout"), chance, tokens / Math.max(seconds, 1e-9), seconds, ParameterRole.count(model), precision);
    }

    /** Written to step-N.tmp and renamed, so a crash mid-save never leaves a half checkpoint. */
    private void saveCheckpoint(TrainerState state) {
        if (!parallel.writes()) {
            return;
        }
        Path root = dir.resolve(CHECKPOINTS);
        Path target = root.resolve(String.format("step-%07d", state.step()));
        try {
            AtomicFile.writeDirectory(target, tmp -> {
                writer.write(model, tmp);
                Checkpoint.saveBankCopies(model, tmp);
                trainer.saveOptimizer(tmp);
                ConfigJson.write(tmp.resolve(STATE), JSON.valueToTree(state));
            });
            pruneCheckpoints(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /** Whether {@code dir} holds a finished checkpoint that {@link #resume} can continue from. */
    public static boolean hasCheckpoint(Path dir) {
        return !checkpoints(dir.resolve(CHECKPOINTS)).isEmpty();
    }

    static Path latestCheckpoint(Path dir) {
        List<Path> done = checkpoints(dir.resolve(CHECKPOINTS));
        if (done.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no checkpoint to resume from (expected "
                    + dir.resolve(CHECKPOINTS) + "/step-N written by 'membank train --out " + dir + "')");
        }
        return done.get(done.size() - 1);
    }

    private static List<Path> checkpoints(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> p.getFileName().toString().matches("step-\\d+") && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pruneCheckpoints(Path root) throws IOException {
        List<Path> done = checkpoints(root);
        for (int i = 0; i < done.size() - KEEP_CHECKPOINTS; i++) {
            Directories.deleteTree(done.get(i));
        }
    }

    private static TrainerState readState(Path checkpoint) {
        JsonNode node = ConfigJson.read(checkpoint.resolve(STATE));
        try {
            return JSON.treeToValue(node, TrainerState.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(checkpoint.resolve(STATE) + " is not a trainer state: " + e.getMessage(), e);
        }
    }

    /**
     * Drops log records past the checkpoint, so a resumed log reads like one uninterrupted run; a
     * last line cut short by a crash mid-write is dropped too.
     */
    private static void truncateMetrics(Path file, int step) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file);
            StringBuilder kept = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                JsonNode record = record(file, lines.get(i), i == lines.size() - 1);
                if (record != null && record.path("step").asInt() <= step) {
                    kept.append(lines.get(i)).append('\n');
                }
            }
            AtomicFile.write(file, kept.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }

    /** A log line's record; null for a blank line or a torn last line. */
    private static JsonNode record(Path file, String line, boolean last) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            if (last) {
                return null;
            }
            throw new IllegalArgumentException(file + " has a line that is not JSON (" + e.getOriginalMessage()
                    + "): " + line + "; remove the line and resume again", e);
        }
    }
}
