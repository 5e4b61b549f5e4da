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
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.Probe;
import membank.data.Split;
import membank.data.TokenBatches;
import membank.eval.Evaluator;
import membank.memory.BankForm;
import membank.model.Checkpoint;
import membank.model.FlopCounter;
import membank.model.FrozenParts;
import membank.model.MemoryLM;
import membank.model.ParameterRole;
import membank.nn.Precision;
import membank.train.Corpus;
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
 */
public final class ExperimentRunner {
    public static final String FILE_COPY = "experiment.json";
    static final String RUN_INFO = "run.json";
    private static final int PROBE_BATCH = 64;

    private final Experiment experiment;
    private final Path out;
    private final Precision precision;
    private final Consumer<String> log;
    private boolean progress = true;
    private Consumer<UnitResult> afterUnit = r -> { };
    private Integer interruptAtStep;

    private ExperimentRunner(Experiment experiment, Path out, Precision precision, Consumer<String> log) {
        this.experiment = experiment;
        this.out = out;
        this.precision = precision;
        this.log = log;
    }

    /**
     * Validates the file and claims {@code out} for it: a directory made from another file is refused.
     * {@code precision} null uses the base configuration's training.precision.
     */
    public static ExperimentRunner open(ExperimentFiles.Source source, Path out, Precision precision, Consumer<String> log) {
        Experiment experiment = ExperimentJson.parse(source.tree(), source.name());
        claim(out, source);
        Precision p = precision != null ? precision
                : Precision.resolve(RunConfig.parse(ArmConfigs.baseTree(experiment.preset(), experiment.baseSet())).training().precision());
        return new ExperimentRunner(experiment, out, p, log);
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
        writeRunInfo(command);
        ObjectNode base = ArmConfigs.baseTree(experiment.preset(), experiment.baseSet());
        TrainConfig baseTraining = RunConfig.parse(base).training();
        KnowledgeSet knowledge = KnowledgeSet.generate(new KnowledgeSpec(baseTraining.data().entities(),
                baseTraining.data().knowledgeSeed()));
        var instructPairs = InstructData.pairs(knowledge, experiment.instruct().entities());
        Path instructPath = out.resolve("data").resolve("instruct.jsonl");
        InstructData.write(instructPairs, instructPath);
        var instructFile = new ArmConfigs.InstructFile(instructPath, instructPairs.size(),
                instructPairs.stream().mapToInt(p -> InstructData.render(p).length()).average().orElse(1));
        Probes probes = new Probes(knowledge.probes(Split.SEEN), InstructData.probes(knowledge.qaPairs()),
                InstructData.probes(instructPairs));
        for (long seed : experiment.seeds()) {
            Map<String, String> pretrained = new HashMap<>();
            for (Arm arm : experiment.arms()) {
                ObjectNode armTree = ArmConfigs.model(arm, base);
                RunConfig pretrainRun = ArmConfigs.phase(arm, armTree, experiment.pretrain(), seed, instructFile);
                // Arms whose pretraining is the same run (the memory variants differ only in phase 2) share it.
                String key = pretrainRun.toJson().toString() + ArmConfigs.freezesBank(arm, experiment.pretrain());
                String source = pretrained.putIfAbsent(key, arm.name());
                String pretrainArm = source != null ? source : arm.name();
                for (Phase phase : experiment.phases()) {
                    if (done(arm, seed, phase)) {
                        continue;
                    }
                    boolean shared = Phase.PRETRAIN.equals(phase.name()) && source != null;
                    log.accept(String.format(Locale.ROOT, "%s, seed %d, %s: %s", arm.name(), seed, phase.name(),
                            shared ? "the same run as " + source + "'s" : phase.steps() + " steps"));
                    UnitResult result = shared ? sharedResult(source, arm, seed)
                            : unit(arm, seed, phase, ArmConfigs.phase(arm, armTree, phase, seed, instructFile),
                                    pretrainRun.training(), probes, pretrainArm);
                    ResultsFile.append(out, result);
                    afterUnit.accept(result);
                }
            }
        }
        ExperimentReport.write(out);
        return ResultsFile.read(out);
    }

    /** {@code source}'s pretraining result under {@code arm}'s name (its pretraining was the identical run). */
    private UnitResult sharedResult(String source, Arm arm, long seed) {
        UnitResult r = ResultsFile.read(out).stream().filter(u -> u.is(source, seed, Phase.PRETRAIN)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no pretraining result of " + source + ", seed " + seed));
        return new UnitResult(arm.name(), arm.kind().label(), seed, r.phase(), r.model(), r.params(), r.steps(), r.tokens(),
                r.valLoss(), r.recall(), r.qaAccuracy(), r.instructQa(), r.tokensPerSecond(), r.flopsPerToken(), r.trainFlops());
    }

    private record Probes(List<Probe> recall, List<Probe> qa, List<Probe> instructQa) {
    }

    private boolean done(Arm arm, long seed, Phase phase) {
        return ResultsFile.read(out).stream().anyMatch(r -> r.is(arm.name(), seed, phase.name()));
    }

    static Path unitDir(Path out, String arm, long seed, String phase) {
        return out.resolve("runs").resolve(arm).resolve("seed-" + seed).resolve(phase);
    }

    private UnitResult unit(Arm arm, long seed, Phase phase, RunConfig run, TrainConfig pretraining, Probes probes,
                            String pretrainArm) {
        Path dir = unitDir(out, arm.name(), seed, phase.name());
        boolean freeze = ArmConfigs.freezesBank(arm, phase);
        TrainingRun training = start(pretrainArm, seed, phase, run, dir, freeze);
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
        return measure(arm, seed, phase, run, pretraining, training, summary, freeze, probes, dir);
    }

    /** Resumes from the unit's checkpoint, or starts it: from a fresh model, or from the previous phase's. */
    private TrainingRun start(String pretrainArm, long seed, Phase phase, RunConfig run, Path dir, boolean freeze) {
        Consumer<MemoryLM> prepare = model -> {
            if (freeze) {
                freezeBank(model);
            }
        };
        if (TrainingRun.hasCheckpoint(dir)) {
            log.accept("  resuming " + dir);
            return TrainingRun.resume(dir, null, precision, prepare);
        }
        Corpus corpus = Corpus.open(run.training(), run.model());
        RunConfig resolved = run.withData(corpus.data());
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
        MemoryLM model;
        if (Phase.PRETRAIN.equals(phase.name())) {
            manual_seed(seed);
            model = new MemoryLM(run.model());
        } else {
            Path previous = unitDir(out, pretrainArm, seed, Phase.PRETRAIN);
            model = Checkpoint.load(previous, BankForm.TRAINABLE);
        }
        prepare.accept(model);
        return TrainingRun.adapting(resolved, dir, precision, model, corpus,
                (m, d) -> Checkpoint.save(m, d, resolved.toJson()), "model");
    }

    static void freezeBank(MemoryLM model) {
        model.namedParameters().forEach((name, p) -> {
            if (ParameterRole.of(name) == ParameterRole.BANK) {
                p.requires_grad_(false);
            }
        });
    }

    private UnitResult measure(Arm arm, long seed, Phase phase, RunConfig run, TrainConfig pretraining, TrainingRun training,
                               RunSummary summary, boolean freeze, Probes probes, Path dir) {
        MemoryLM model = training.model();
        Evaluator evaluator = new Evaluator(model, precision, false);
        Corpus pretrainData = Corpus.open(pretraining, model.config());
        double valLoss;
        try (TokenBatches batches = pretrainData.validationBatches(new BatchSpec(pretraining.batchSize(), pretraining.seqLen()))) {
            valLoss = evaluator.loss(batches, experiment.evalBatches());
        }
        var tokenizer = pretrainData.tokenizer();
        double recall = evaluator.recall(tokenizer, probes.recall(), PROBE_BATCH).accuracy();
        double qa = evaluator.recall(tokenizer, probes.qa(), PROBE_BATCH).accuracy();
        double instructQa = evaluator.recall(tokenizer, probes.instructQa(), PROBE_BATCH).accuracy();
        TrainConfig t = run.training();
        long tokens = (long) t.steps() * t.gradAccum() * t.batchSize() * t.seqLen();
        double perToken = FlopCounter.count(model.config(), t.seqLen(), t.batchSize(), new FrozenParts(false, false, false, freeze))
                .trainPerToken();
        long params = ParameterRole.count(model).values().stream().mapToLong(Long::longValue).sum();
        return new UnitResult(arm.name(), arm.kind().label(), seed, phase.name(), describe(model.config()), params, t.steps(),
                tokens, valLoss, recall, qa, instructQa, summary.tokensPerSecond(), perToken, perToken * tokens);
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
        info.put("command", command).put("machine", Machine.describe()).put("precision", precision.label());
        ConfigJson.write(out.resolve(RUN_INFO), info);
    }
}
