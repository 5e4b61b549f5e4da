package membank.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.bytedeco.pytorch.Device;

import membank.config.ConfigJson;
import membank.config.LoraConfig;
import membank.config.RunConfig;
import membank.config.SparseMemoryConfig;
import membank.data.Split;
import membank.eval.Evaluator;
import membank.eval.GenerationSpeed;
import membank.eval.RecallResult;
import membank.model.Checkpoint;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.nn.Devices;
import membank.nn.Precision;
import membank.train.ComparisonMethod.BaseKind;
import membank.util.Directories;

/**
 * Knowledge injection into pretrained bases, every method at every token budget for every seed:
 * each learns the facts of a knowledge set its base never saw (another knowledge seed), then is
 * measured on recall of those facts, on recall and loss of the base's own knowledge set
 * (forgetting), on what it trains and stores, and on training and generation speed. Methods that
 * add to a plain base run on the base without memory, sparse memory finetuning on the base with
 * memory, full fine-tuning on each base given. Each unit's result is appended to results.jsonl as
 * it finishes, and a rerun skips the units already there.
 */
public final class AdapterComparison {
    /** Knowledge seed offset of the new facts from the base's own knowledge set. */
    static final long NEW_FACTS_SEED_OFFSET = 1_000;
    private static final String PROMPT = "The ";

    private final List<Path> bases;
    private final LoraConfig lora;
    private final MemoryFreeze freeze;
    private final List<String> assignments;
    private final Precision precision;
    private final int generationTokens;
    private final SparseMemoryConfig sparse;
    private final Device device;

    /**
     * @param bases one base, or two trained on the same people: one with memory, one without
     * @param assignments {@code membank.*}/{@code training.*} overrides shared by every method
     * @param generationTokens tokens generated (greedy, after a warm-up) to time generation
     * @param sparse the settings of sparse-memory, when it is compared
     */
    public AdapterComparison(List<Path> bases, LoraConfig lora, MemoryFreeze freeze, List<String> assignments, Precision precision,
                             int generationTokens, SparseMemoryConfig sparse) {
        this(bases, lora, freeze, assignments, precision, generationTokens, sparse, Devices.cpu());
    }

    /** As above, every model (bases and adapted) on {@code device}. */
    public AdapterComparison(List<Path> bases, LoraConfig lora, MemoryFreeze freeze, List<String> assignments, Precision precision,
                             int generationTokens, SparseMemoryConfig sparse, Device device) {
        this.device = device;
        this.bases = List.copyOf(bases);
        this.lora = lora;
        this.freeze = freeze;
        this.sparse = sparse;
        this.assignments = List.copyOf(assignments);
        this.precision = precision;
        this.generationTokens = generationTokens;
    }

    /**
     * Runs the plan into {@code out} ({@code <budget>x/<base>/<method>/seed-<s>}) and returns every
     * result: first the bases (measured anew each time), then the units in the order they finished.
     */
    public List<InjectionResult> run(ComparisonPlan plan, Path out, Consumer<String> log) {
        Map<BaseKind, InjectionBase> byKind = openBases(plan);
        List<InjectionResult> done = InjectionResult.results(out).read().stream().filter(r -> !r.isBase()).toList();
        List<InjectionResult> results = new ArrayList<>();
        for (InjectionBase base : byKind.values()) {
            log.accept(base.kind().label() + " base " + base.dir() + ": measuring");
            results.add(measureBase(base));
        }
        results.addAll(done);
        for (int budget : plan.budgets()) {
            for (long seed : plan.seeds()) {
                for (ComparisonMethod method : plan.methods()) {
                    for (InjectionBase base : byKind.values()) {
                        if (!method.appliesTo(base.kind()) || done.stream().anyMatch(r -> r.isUnit(method.cliName(),
                                base.kind().label(), budget, seed))) {
                            continue;
                        }
                        String unit = method.cliName() + " on the " + base.kind().label() + " base, " + budget + "x budget ("
                                + plan.stepsAt(budget) + " steps), seed " + seed;
                        log.accept(unit + ": training");
                        results.add(runUnit(plan, method, base, budget, seed, out));
                        InjectionResult.results(out).write(results);
                    }
                }
            }
        }
        InjectionResult.results(out).write(results);
        return results;
    }

    /** The given bases by kind, checked: trained on the knowledge set, the same people, and one of each kind at most. */
    private Map<BaseKind, InjectionBase> openBases(ComparisonPlan plan) {
        if (bases.isEmpty() || bases.size() > 2) {
            throw new IllegalArgumentException("--base: give one base, or two (one with memory, one without); got " + bases.size());
        }
        Map<BaseKind, Path> dirs = new EnumMap<>(BaseKind.class);
        for (Path dir : bases) {
            BaseKind kind = BaseKind.of(ConfigJson.readModel(Checkpoint.configFile(dir)).hasMemory());
            Path twin = dirs.put(kind, dir);
            if (twin != null) {
                throw new IllegalArgumentException("--base " + twin + " and --base " + dir + " both have "
                        + (kind == BaseKind.MEMORY ? "memory" : "no memory") + "; give one base with memory and one"
                        + " without (membank train --preset base-memory / base-nomem)");
            }
        }
        for (ComparisonMethod method : plan.methods()) {
            if (dirs.keySet().stream().noneMatch(method::appliesTo)) {
                throw new IllegalArgumentException("--methods " + method.cliName() + ": " + missingBase(method));
            }
        }
        // the configurations are checked first: opening a base reads and tokenizes its data
        Map<BaseKind, InjectionBase> byKind = new EnumMap<>(BaseKind.class);
        dirs.forEach((kind, dir) -> byKind.put(kind, InjectionBase.open(dir, newFactsData(dir))));
        requireSamePeople(byKind);
        return byKind;
    }

    private String missingBase(ComparisonMethod method) {
        return method == ComparisonMethod.SPARSE_MEMORY
                ? "no --base has a memory bank to finetune sparsely; add a base trained with memory (membank train --preset"
                + " base-memory) as a second --base"
                : method.cliName() + " adds to a plain base, and every --base has memory layers; add a base without memory"
                + " trained on the same people (membank train --preset base-nomem) as a second --base";
    }

    private static void requireSamePeople(Map<BaseKind, InjectionBase> byKind) {
        if (byKind.size() == 2) {
            InjectionBase memory = byKind.get(BaseKind.MEMORY);
            InjectionBase plain = byKind.get(BaseKind.PLAIN);
            if (memory.data().entities() != plain.data().entities()
                    || memory.data().knowledgeSeed() != plain.data().knowledgeSeed()) {
                throw new IllegalArgumentException("--base " + memory.dir() + " learned " + memory.data().entities()
                        + " people of knowledge seed " + memory.data().knowledgeSeed() + ", --base " + plain.dir() + " "
                        + plain.data().entities() + " of seed " + plain.data().knowledgeSeed() + "; forgetting compares"
                        + " only between bases that learned the same people: train both with the same"
                        + " training.data.entities and knowledge_seed");
            }
        }
    }

    /** The new facts' data keys: the base's people count and knowledge seed + 1000, then the user's training.* keys. */
    private List<String> newFactsData(Path dir) {
        var data = ConfigJson.parseTraining(ConfigJson.read(Checkpoint.configFile(dir)).get("training")).data();
        List<String> keys = new ArrayList<>(List.of("training.data.kind=knowledge",
                "training.data.knowledge_seed=" + (data.knowledgeSeed() + NEW_FACTS_SEED_OFFSET),
                "training.data.entities=" + data.entities()));
        keys.addAll(trainingOnly(assignments));
        return keys;
    }

    private InjectionResult measureBase(InjectionBase base) {
        MemoryLM model = Checkpoint.load(base.dir());
        model.to(device, false);
        Evaluator evaluator = new Evaluator(model, precision, false);
        RecallResult own = base.ownRecall(evaluator);
        base.remember(own);
        Corpus newFacts = base.newFacts();
        return new InjectionResult(InjectionResult.BASE, base.kind().label(), 0, 0, 0, 0, 0, 0,
                InjectionBase.recall(evaluator, newFacts, Split.SEEN).accuracy(),
                InjectionBase.recall(evaluator, newFacts, Split.HELDOUT).accuracy(), own.accuracy(), 1,
                base.ownLoss(evaluator), null, generationSpeed(model, newFacts));
    }

    private InjectionResult runUnit(ComparisonPlan plan, ComparisonMethod method, InjectionBase base, int budget, long seed,
                                    Path out) {
        Path dir = out.resolve(budget + "x").resolve(base.kind().label()).resolve(method.directory()).resolve("seed-" + seed);
        clearUnfinished(dir);
        List<String> keys = unitAssignments(plan, method, base, budget, seed);
        MemoryLM model;
        RunSummary summary;
        if (method == ComparisonMethod.SPARSE_MEMORY) {
            RunConfig run = RunConfig.parse(SparseMemoryAdaptation.configTree(base.dir(), keys));
            var adaptation = new SparseMemoryAdaptation(base.dir(), sparse != null ? sparse : SparseMemoryConfig.defaults(),
                    run, List.of());
            model = adaptation.model(precision);
            summary = adaptation.train(model, dir, precision, false, device);
        } else {
            RunConfig run = RunConfig.parse(Adaptation.configTree(base.dir(), method.method(), keys));
            var adaptation = new Adaptation(base.dir(), method.method(), method.method().usesLora() ? lora : null,
                    freezeFor(method, base.kind()), run);
            model = adaptation.model(precision);
            summary = adaptation.train(model, dir, precision, false, DataParallel.single(device));
        }
        Evaluator evaluator = new Evaluator(model, precision, false);
        RecallResult own = base.ownRecall(evaluator);
        long tokens = (long) summary.steps() * base.tokensPerStep();
        // The run's final evaluation already scored the new facts (its data are the same knowledge set).
        return new InjectionResult(method.cliName(), base.kind().label(), budget, seed, summary.steps(), tokens,
                Adaptation.trainable(model), storedBytes(dir), summary.recall().accuracy(), summary.heldoutRecall().accuracy(),
                own.accuracy(), base.keptShare(own), base.ownLoss(evaluator), summary.tokensPerSecond(),
                generationSpeed(model, base.newFacts()));
    }

    /**
     * The keys of one unit: the new facts, the user's overrides (membank.* only for memory adapters),
     * the budget's steps and the seed; a dense bank for memory, the plan's chapters for memory-routed.
     */
    private List<String> unitAssignments(ComparisonPlan plan, ComparisonMethod method, InjectionBase base, int budget, long seed) {
        List<String> keys = new ArrayList<>(newFactsData(base.dir()));
        if (method.method().usesMemory()) {
            keys.addAll(assignments.stream().filter(a -> a.startsWith("membank.")).toList());
        }
        keys.add("training.steps=" + plan.stepsAt(budget));
        keys.add("training.seed=" + seed);
        if (method == ComparisonMethod.MEMORY) {
            keys.add("membank.chapters=null");
        } else if (method == ComparisonMethod.MEMORY_ROUTED) {
            keys.add("membank.chapters=" + plan.chapters());
        }
        return keys;
    }

    /** --freeze applies where there is memory to freeze besides what the method must train: memory adapters, full on a memory base. */
    private MemoryFreeze freezeFor(ComparisonMethod method, BaseKind base) {
        boolean applies = method.method().usesMemory() || method == ComparisonMethod.FULL && base == BaseKind.MEMORY;
        return applies ? freeze : MemoryFreeze.NONE;
    }

    /** A unit directory left by an interrupted run starts over (adaptation runs do not resume). */
    private static void clearUnfinished(Path dir) {
        try {
            if (Files.exists(dir)) {
                Directories.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the unfinished unit " + dir + "; delete it and rerun", e);
        }
    }

    private static List<String> trainingOnly(List<String> assignments) {
        return assignments.stream().filter(a -> a.startsWith("training.")).toList();
    }

    /** Greedy tokens per second after a prompt: the median of three runs after a warm-up run. */
    private double generationSpeed(MemoryLM model, Corpus corpus) {
        long[] prompt = Arrays.stream(corpus.tokenizer().encode(PROMPT)).asLongStream().toArray();
        return GenerationSpeed.compare(Map.of("model", model), prompt, generationTokens, 3).get(0).tokensPerSecond();
    }

    /** Bytes of the weights a method wrote: the adapter file, or the whole model for full fine-tuning. */
    static long storedBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
