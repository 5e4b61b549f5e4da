package membank.experiment;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.ConfigJson;
import membank.config.ModelConfig;
import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Exposures;
import membank.data.TokenBatches;
import membank.eval.Evaluator;
import membank.eval.KnowledgeBits;
import membank.eval.RecallResult;
import membank.memory.BankForm;
import membank.model.Checkpoint;
import membank.model.FlopCounter;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.model.ParameterRole;
import membank.nn.Devices;
import membank.nn.Precision;
import membank.train.Corpus;
import membank.train.DataParallel;
import membank.train.RunSummary;
import membank.train.TrainingRun;
import membank.util.Directories;
import membank.util.Machine;

/**
 * Runs an experiment into a directory, one (seed, arm, phase) unit after another: each phase is a
 * training run in {@code runs/<arm>/seed-<s>/<phase>} continuing from the previous phase's model,
 * measured afterwards and appended to results.jsonl. Rerunning skips measured units and resumes
 * an unfinished one from its last checkpoint; the directory keeps a copy of the experiment file
 * and refuses a different one.
 *
 * <p>As one rank of a data-parallel job every rank runs the same units in the same order (their
 * training meets in collectives) and measures them too, so no rank waits out another's
 * measurement; only rank 0 writes the directory (data files, results, report), and the others
 * read what it wrote after a barrier, so every rank must see the same directory.
 */
public final class ExperimentRunner {
    public static final String FILE_COPY = "experiment.json";
    static final String RUN_INFO = "run.json";
    private static final int PROBE_BATCH = 64;

    private final Experiment experiment;
    private final Path out;
    private final Precision precision;
    private final Consumer<String> log;
    private final DataParallel parallel;
    /** The units measured before this run started, as every rank read them at the same barrier. */
    private List<UnitResult> measuredBefore = List.of();
    private boolean progress = true;
    private Consumer<UnitResult> afterUnit = r -> { };
    private Integer interruptAtStep;

    private ExperimentRunner(Experiment experiment, Path out, Precision precision, Consumer<String> log, DataParallel parallel) {
        this.experiment = experiment;
        this.out = out;
        this.precision = precision;
        this.log = log;
        this.parallel = parallel;
    }

    /**
     * Validates the file and claims {@code out} for it: a directory made from another file is refused.
     * {@code precision} null uses the base configuration's training.precision.
     */
    public static ExperimentRunner open(ExperimentFiles.Source source, Path out, Precision precision, Consumer<String> log) {
        return open(source, out, precision, log, DataParallel.SINGLE);
    }

    /**
     * {@link #open(ExperimentFiles.Source, Path, Precision, Consumer)} as one rank of a data-parallel
     * job (or one process on another device): rank 0 claims {@code out}, the others check, once it
     * has, that it holds the same file.
     */
    public static ExperimentRunner open(ExperimentFiles.Source source, Path out, Precision precision, Consumer<String> log,
                                        DataParallel parallel) {
        Experiment experiment = ExperimentJson.parse(source.tree(), source.name());
        if (parallel.writes()) {
            claim(out, source);
        }
        parallel.barrier();
        if (!parallel.writes()) {
            requireClaimed(out, source, parallel);
        }
        Precision p = precision != null ? precision
                : RunConfig.parse(ArmConfigs.baseTree(experiment.preset(), experiment.baseSet())).training().precision().resolve();
        return new ExperimentRunner(experiment, out, p, log, parallel);
    }

    /** A rank that does not write reads rank 0's files: the directory must be the one rank 0 claimed, for the same file. */
    private static void requireClaimed(Path out, ExperimentFiles.Source source, DataParallel parallel) {
        Path copy = out.resolve(FILE_COPY);
        String who = "rank " + parallel.rank() + " of " + parallel.worldSize();
        if (!Files.isRegularFile(copy)) {
            throw new IllegalArgumentException(who + ": " + copy + ", which rank 0 writes, is not there: every rank reads"
                    + " what rank 0 writes, so give every rank the same --out on a filesystem they share");
        }
        if (!ConfigJson.read(copy).equals(source.tree())) {
            throw new IllegalArgumentException(who + ": " + source.name() + " is not the experiment rank 0 runs (its copy is "
                    + copy + "): start every rank with the same experiment file");
        }
    }

    private static void claim(Path out, ExperimentFiles.Source source) {
        Path copy = out.resolve(FILE_COPY);
        if (Files.exists(copy)) {
            JsonNode before = ConfigJson.read(copy);
            if (!before.equals(source.tree())) {
                throw new IllegalArgumentException(out + " holds a run of a different experiment file (its copy is " + copy
                        + "): choose another --out, or delete " + out + " to start over");
            }
            return;
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        ConfigJson.write(copy, source.tree());
    }

    public ExperimentRunner quiet() {
        progress = false;
        return this;
    }

    public Experiment experiment() {
        return experiment;
    }

    /** Called after each unit's result is stored (tests interrupt the run here). */
    ExperimentRunner afterUnit(Consumer<UnitResult> hook) {
        afterUnit = hook;
        return this;
    }

    /** Stops the first unit that trains at this step, as an interruption right after a checkpoint would. */
    ExperimentRunner interruptAtStep(int step) {
        interruptAtStep = step;
        return this;
    }

    /** Runs every unit not yet in results.jsonl, then writes the report; returns all results. */
    public List<UnitResult> run(String command) {
        measuredBefore = UnitResult.results(out).read();
        if (parallel.writes()) {
            writeRunInfo(command);
        }
        for (Sweep.Point point : experiment.sweep().points()) {
            runPoint(point);
        }
        if (parallel.writes()) {
            ExperimentReport.write(out);
        }
        parallel.barrier();
        return UnitResult.results(out).read();
    }

    private void runPoint(Sweep.Point point) {
        ObjectNode base = ArmConfigs.baseTree(experiment.preset(), experiment.baseSet(point));
        PointData data = PointData.prepare(base, experiment, dataDir(out, point.label()), parallel.writes());
        // the instruct data rank 0 just wrote is read by every rank
        parallel.barrier();
        for (long seed : experiment.seeds()) {
            Map<String, String> pretrained = new HashMap<>();
            for (Arm arm : experiment.arms()) {
                ObjectNode armTree = ArmConfigs.model(arm, base);
                RunConfig pretrainRun = phaseRun(arm, armTree, experiment.pretrain(), seed, data);
                // Arms whose pretraining is the same run (the memory variants differ only in phase 2) share it.
                String key = pretrainRun.toJson().toString() + ArmConfigs.freezeOf(arm, experiment.pretrain());
                String source = pretrained.putIfAbsent(key, arm.name());
                String pretrainArm = source != null ? source : arm.name();
                for (Phase phase : experiment.phases()) {
                    if (done(point.label(), arm, seed, phase)) {
                        continue;
                    }
                    boolean shared = Phase.PRETRAIN.equals(phase.name()) && source != null;
                    RunConfig run = shared ? pretrainRun : phaseRun(arm, armTree, phase, seed, data);
                    log.accept(String.format(Locale.ROOT, "%s%s, seed %d, %s: %s",
                            point.label().isEmpty() ? "" : experiment.sweep().name() + " " + point.label() + ", ",
                            arm.name(), seed, phase.name(), shared ? "the same run as " + source + "'s"
                                    : String.format(Locale.ROOT, "%,d steps (%s)", run.training().steps(), phase.budget().describe())));
                    // a shared pretraining is not trained again: rank 0 stores its result under this arm's name
                    UnitResult measured = shared ? null
                            : unit(new Unit(point.label(), arm, seed, phase, pretrainArm), run, pretrainRun.training(), data);
                    if (parallel.writes()) {
                        UnitResult result = shared ? sharedResult(point.label(), source, arm, seed) : measured;
                        UnitResult.results(out).append(result);
                        afterUnit.accept(result);
                    }
                    // the next unit may read this one's model and recalled facts
                    parallel.barrier();
                }
            }
        }
    }

    /** The phase's run configuration with the steps its budget makes for this arm. */
    private RunConfig phaseRun(Arm arm, ObjectNode armTree, Phase phase, long seed, PointData data) {
        RunConfig draft = ArmConfigs.phase(arm, armTree, phase, seed, data.instructFile(), 1);
        TrainConfig t = draft.training();
        long tokensPerStep = (long) t.gradAccum() * t.batchSize() * t.seqLen();
        int steps = phase.budget().steps(tokensPerStep, () -> data.exposureTokens(draft, (int) phase.budget().value()) - 1,
                FlopCounter.count(draft.model(), t.seqLen(), t.batchSize(), ArmConfigs.freezeOf(arm, phase).frozenParts())
                        .trainPerToken());
        return ArmConfigs.phase(arm, armTree, phase, seed, data.instructFile(), steps);
    }

    /** {@code source}'s pretraining result under {@code arm}'s name (its pretraining was the identical run). */
    private UnitResult sharedResult(String point, String source, Arm arm, long seed) {
        UnitResult r = UnitResult.results(out).read().stream().filter(u -> u.is(point, source, seed, Phase.PRETRAIN)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no pretraining result of " + source + ", seed " + seed));
        return r.as(arm.name(), arm.kind().label());
    }

    /** One (point, arm, seed, phase) to train; {@code pretrainArm} is the arm whose pretraining it continues from. */
    private record Unit(String point, Arm arm, long seed, Phase phase, String pretrainArm) {
        boolean pretraining() {
            return Phase.PRETRAIN.equals(phase.name());
        }
    }

    private boolean done(String point, Arm arm, long seed, Phase phase) {
        return measuredBefore.stream().anyMatch(r -> r.is(point, arm.name(), seed, phase.name()));
    }

    /** {@code runs/<arm>/seed-<s>/<phase>}, under {@code runs/<point>/} when the experiment sweeps. */
    static Path unitDir(Path out, String point, String arm, long seed, String phase) {
        Path runs = out.resolve("runs");
        return (point.isEmpty() ? runs : runs.resolve(point)).resolve(arm).resolve("seed-" + seed).resolve(phase);
    }

    static Path dataDir(Path out, String point) {
        return point.isEmpty() ? out.resolve("data") : out.resolve("data").resolve(point);
    }

    private UnitResult unit(Unit u, RunConfig run, TrainConfig pretraining, PointData data) {
        long started = System.nanoTime();
        Path dir = unitDir(out, u.point(), u.arm().name(), u.seed(), u.phase().name());
        MemoryFreeze freeze = ArmConfigs.freezeOf(u.arm(), u.phase());
        TrainingRun training = start(u, run, dir, freeze);
        if (!progress) {
            training.quiet();
        }
        if (interruptAtStep != null) {
            int stop = interruptAtStep;
            interruptAtStep = null;
            training.trainUntil(stop);
            throw new IllegalStateException("interrupted at step " + stop + " of " + dir + " (test hook)");
        }
        RunSummary summary = training.train();
        UnitResult result = measure(u, run, pretraining, training, summary, freeze, data, dir);
        return result.withWallSeconds((System.nanoTime() - started) / 1e9);
    }

    /** Resumes from the unit's checkpoint, or starts it: from a fresh model, or from the previous phase's. */
    private TrainingRun start(Unit u, RunConfig run, Path dir, MemoryFreeze freeze) {
        Consumer<MemoryLM> prepare = freeze::apply;
        if (TrainingRun.hasCheckpoint(dir)) {
            log.accept("  resuming " + dir);
            return TrainingRun.resume(dir, null, precision, prepare, parallel);
        }
        Corpus corpus = Corpus.open(run.training(), run.model());
        RunConfig resolved = run.withData(corpus.data());
        try {
            if (parallel.writes()) {
                Directories.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
        MemoryLM model;
        if (u.pretraining()) {
            manual_seed(u.seed());
            model = new MemoryLM(run.model());
        } else {
            model = Checkpoint.load(unitDir(out, u.point(), u.pretrainArm(), u.seed(), Phase.PRETRAIN), BankForm.TRAINABLE);
        }
        prepare.accept(model);
        return TrainingRun.adapting(resolved, dir, precision, model, corpus,
                (m, d) -> Checkpoint.save(m, d, resolved.toJson()), "model", parallel);
    }

    private UnitResult measure(Unit u, RunConfig run, TrainConfig pretraining, TrainingRun training, RunSummary summary,
                               MemoryFreeze freeze, PointData data, Path dir) {
        MemoryLM model = training.model();
        Evaluator evaluator = new Evaluator(model, precision, false);
        // after pretraining, the run's own data is the pretraining data: not read again
        Corpus pretrainData = u.pretraining() ? training.corpus() : Corpus.open(pretraining, model.config());
        double valLoss;
        try (TokenBatches batches = pretrainData.validationBatches(new BatchSpec(pretraining.batchSize(), pretraining.seqLen()))) {
            valLoss = evaluator.loss(batches, experiment.evalBatches());
        }
        TrainConfig t = run.training();
        long tokens = (long) t.steps() * t.gradAccum() * t.batchSize() * t.seqLen();
        double exposures = Exposures.count(training.corpus().train(), tokens + 1).mean();
        Knowledge known = data.knows() ? knowledge(u, evaluator, pretrainData, data, dir) : Knowledge.NONE;
        double bitsPerByte = data.knows() ? Double.NaN : valLoss / Math.log(2) / data.bytesPerToken();
        double perToken = FlopCounter.count(model.config(), t.seqLen(), t.batchSize(), freeze.frozenParts()).trainPerToken();
        long params = ParameterRole.count(model).values().stream().mapToLong(Long::longValue).sum();
        return new UnitResult(u.point(), u.arm().name(), u.arm().kind().label(), u.seed(), u.phase().name(), describe(model.config()),
                params, t.steps(), tokens, exposures, valLoss, bitsPerByte, known.recall(), known.qa(), known.instructQa(),
                known.bits(), known.kept(), summary.tokensPerSecond(), perToken, perToken * tokens, Double.NaN);
    }

    /** What the model knows of the pretrained facts after a phase; NaN where it does not apply. */
    private record Knowledge(double recall, double qa, double instructQa, double bits, double kept) {
        static final Knowledge NONE = new Knowledge(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Recall, QA accuracy and bits of the pretrained facts. After pretraining the facts recalled are
     * written to the unit's directory; after the instruct phase, the share of those still recalled
     * is the forgetting of what was known (facts never known cannot be forgotten).
     */
    private Knowledge knowledge(Unit u, Evaluator evaluator, Corpus pretrainData, PointData data, Path dir) {
        var tokenizer = pretrainData.tokenizer();
        RecallResult recall = evaluator.recall(tokenizer, data.recallProbes(), PROBE_BATCH);
        boolean instruct = experiment.instruct() != null;
        double qa = instruct ? evaluator.recall(tokenizer, data.qaProbes(), PROBE_BATCH).accuracy() : Double.NaN;
        double instructQa = instruct ? evaluator.recall(tokenizer, data.instructProbes(), PROBE_BATCH).accuracy() : Double.NaN;
        double kept = Double.NaN;
        if (u.pretraining()) {
            if (parallel.writes()) {
                RecalledFacts.write(dir, recall.hits());
            }
        } else {
            kept = RecalledFacts.keptShare(RecalledFacts.read(unitDir(out, u.point(), u.pretrainArm(), u.seed(), Phase.PRETRAIN)),
                    recall.hits());
        }
        return new Knowledge(recall.accuracy(), qa, instructQa, KnowledgeBits.of(recall), kept);
    }

    static String describe(ModelConfig c) {
        String shape = String.format(Locale.ROOT, "%d layers x %d", c.numHiddenLayers(), c.hiddenSize());
        if (!c.hasMemory()) {
            return shape;
        }
        var m = c.membank();
        String chapters = m.chapters() == null ? "dense" : m.chapters().count() + " chapters, top " + m.chapters().topK();
        return String.format(Locale.ROOT, "%s + memory %,d tokens (%s)", shape, m.numTokens(), chapters);
    }

    private void writeRunInfo(String command) {
        ObjectNode info = JsonNodeFactory.instance.objectNode();
        info.put("command", command).put("machine", Machine.describe()).put("precision", precision.label())
                .put("device", Devices.name(parallel.device())).put("ranks", parallel.worldSize());
        ConfigJson.write(out.resolve(RUN_INFO), info);
    }
}
