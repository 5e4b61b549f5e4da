package membank.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.config.DataConfig;
import membank.config.LoraConfig;
import membank.config.RunConfig;
import membank.config.SparseMemoryConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Split;
import membank.data.TokenBatches;
import membank.eval.Evaluator;
import membank.eval.GenerationSpeed;
import membank.eval.RecallResult;
import membank.model.Checkpoint;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.nn.Precision;

/**
 * Knowledge injection into a pretrained base, one run per method with the same token budget:
 * each method learns facts of a knowledge set the base never saw (another knowledge seed), then
 * is measured on recall of those facts, on the loss of the base's own validation data
 * (forgetting), on training and on generation speed. The first row is the base itself.
 */
public final class AdapterComparison {
    /** Knowledge seed offset of the new facts from the base's own knowledge set. */
    static final long NEW_FACTS_SEED_OFFSET = 1_000;
    private static final String PROMPT = "The ";

    /** One row of the comparison; {@code storedBytes} is what the method writes to disk (0 for the base). */
    public record Row(String method, long trainable, long storedBytes, RecallResult newFacts, RecallResult newFactsHeldout,
                      double baseDataLoss, double trainTokensPerSecond, double generationTokensPerSecond) {
    }

    private final Path base;
    private final LoraConfig lora;
    private final MemoryFreeze freeze;
    private final List<String> assignments;
    private final Precision precision;
    private final int generationTokens;
    private final SparseMemoryConfig sparse;

    /**
     * @param assignments {@code membank.*}/{@code training.*} overrides shared by every method
     * @param generationTokens tokens generated (greedy, after a warm-up) to time generation
     * @param sparse the settings of sparse-memory, when it is compared
     */
    public AdapterComparison(Path base, LoraConfig lora, MemoryFreeze freeze, List<String> assignments, Precision precision,
                             int generationTokens, SparseMemoryConfig sparse) {
        this.base = base;
        this.lora = lora;
        this.freeze = freeze;
        this.sparse = sparse;
        this.assignments = List.copyOf(assignments);
        this.precision = precision;
        this.generationTokens = generationTokens;
    }

    /** Runs every method into {@code out}/{@code <method>} and returns the base's row, then one per method. */
    public List<Row> run(List<AdapterMethod> methods, Path out, Consumer<String> log) {
        TrainConfig baseTraining = ConfigJson.parseTraining(ConfigJson.read(Checkpoint.configFile(base)).get("training"));
        DataConfig baseData = baseTraining.data();
        if (!DataConfig.KNOWLEDGE.equals(baseData.kind())) {
            throw new IllegalArgumentException("--base " + base + " was trained on " + baseData.kind() + " data; the comparison"
                    + " measures new facts against the base's own knowledge set, so the base must have been trained on"
                    + " 'knowledge' (e.g. membank train --preset small-nomem)");
        }
        boolean memoryBase = ConfigJson.readModel(Checkpoint.configFile(base)).hasMemory();
        refuseMismatchedMethods(methods, memoryBase);
        List<String> shared = new ArrayList<>(assignments);
        shared.add(0, "training.data.entities=" + baseData.entities());
        shared.add(0, "training.data.knowledge_seed=" + (baseData.knowledgeSeed() + NEW_FACTS_SEED_OFFSET));
        shared.add(0, "training.data.kind=knowledge");
        BaseData original = BaseData.of(base, baseData, baseTraining);
        List<Row> rows = new ArrayList<>();
        log.accept("base: measuring");
        MemoryLM plain = Checkpoint.load(base);
        // The new facts' data block as every method's run resolves it (the method does not matter for it).
        ObjectNode newFactsTree = memoryBase ? SparseMemoryAdaptation.configTree(base, trainingOnly(shared))
                : Adaptation.configTree(base, AdapterMethod.FULL, trainingOnly(shared));
        Corpus newFacts = Corpus.open(RunConfig.parse(newFactsTree).training(), plain.config());
        Evaluator baseline = new Evaluator(plain, precision, false);
        rows.add(measure("base", plain, 0, 0, Double.NaN, recall(baseline, newFacts, Split.SEEN),
                recall(baseline, newFacts, Split.HELDOUT), newFacts, original));
        for (AdapterMethod method : methods) {
            log.accept(method.cliName() + ": training");
            if (method.needsMemoryBase()) {
                rows.add(sparseMemory(shared, out, newFacts, original, log));
                continue;
            }
            RunConfig run = RunConfig.parse(Adaptation.configTree(base, method, method.usesMemory() ? shared : trainingOnly(shared)));
            Adaptation adaptation = new Adaptation(base, method, method.usesLora() ? lora : null, freeze, run);
            MemoryLM model = adaptation.model(precision);
            long trainable = Adaptation.trainable(model);
            Path dir = out.resolve(method.cliName().replace('+', '-'));
            RunSummary summary = adaptation.train(model, dir, precision, false);
            log.accept(method.cliName() + ": measuring");
            // The run's final evaluation already scored the new facts (its data are the same knowledge set).
            rows.add(measure(method.cliName(), model, trainable, storedBytes(dir), summary.tokensPerSecond(), summary.recall(),
                    summary.heldoutRecall(), newFacts, original));
        }
        return rows;
    }

    /** On a base with memory, sparse-memory and full fine-tuning apply; on a plain base, every method but sparse-memory. */
    private void refuseMismatchedMethods(List<AdapterMethod> methods, boolean memoryBase) {
        for (AdapterMethod m : methods) {
            if (memoryBase && !m.needsMemoryBase() && m != AdapterMethod.FULL) {
                throw new IllegalArgumentException("--methods " + m.cliName() + ": --base " + base + " has memory layers, and "
                        + m.cliName() + " adds to a plain base; on a base with memory compare sparse-memory and full");
            }
            if (!memoryBase && m.needsMemoryBase()) {
                throw new IllegalArgumentException("--methods " + m.cliName() + ": --base " + base + " has no memory bank"
                        + " to finetune sparsely; compare it on a base trained with memory (e.g. train --preset small)");
            }
        }
    }

    /** Sparse memory finetuning of the base's own bank on the new facts, counted against the base's knowledge set. */
    private Row sparseMemory(List<String> shared, Path out, Corpus newFacts, BaseData original, Consumer<String> log) {
        RunConfig run = RunConfig.parse(SparseMemoryAdaptation.configTree(base, trainingOnly(shared)));
        SparseMemoryAdaptation adaptation = new SparseMemoryAdaptation(base, sparse != null ? sparse
                : SparseMemoryConfig.defaults(), run, List.of());
        MemoryLM model = adaptation.model(precision);
        Path dir = out.resolve(AdapterMethod.SPARSE_MEMORY.cliName());
        RunSummary summary = adaptation.train(model, dir, precision, false);
        String name = AdapterMethod.SPARSE_MEMORY.cliName();
        log.accept(name + ": measuring");
        return measure(name, model, Adaptation.trainable(model), storedBytes(dir), summary.tokensPerSecond(), summary.recall(),
                summary.heldoutRecall(), newFacts, original);
    }

    private static List<String> trainingOnly(List<String> assignments) {
        return assignments.stream().filter(a -> a.startsWith("training.")).toList();
    }

    private Row measure(String name, MemoryLM model, long trainable, long bytes, double trainSpeed, RecallResult seen,
                        RecallResult heldout, Corpus newFacts, BaseData original) {
        double forgetting = original.loss(new Evaluator(model, precision, false));
        return new Row(name, trainable, bytes, seen, heldout, forgetting, trainSpeed, generationSpeed(name, model, newFacts));
    }

    private static RecallResult recall(Evaluator evaluator, Corpus corpus, Split split) {
        return evaluator.recall(corpus.tokenizer(), corpus.knowledge().probes(split), TrainingRun.PROBE_BATCH);
    }

    /** Greedy tokens per second after a prompt: the median of three runs after a warm-up run. */
    private double generationSpeed(String name, MemoryLM model, Corpus corpus) {
        long[] prompt = Arrays.stream(corpus.tokenizer().encode(PROMPT)).asLongStream().toArray();
        return GenerationSpeed.compare(Map.of(name, model), prompt, generationTokens, 3).get(0).tokensPerSecond();
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

    /** The base's own validation data: its knowledge set in wordings training never reached. */
    private record BaseData(Corpus corpus, BatchSpec spec, int batches) {
        static BaseData of(Path base, DataConfig data, TrainConfig training) {
            Corpus corpus = Corpus.open(training.withData(data.withTokenizer(base.toString())),
                    ConfigJson.readModel(Checkpoint.configFile(base)));
            return new BaseData(corpus, new BatchSpec(training.batchSize(), training.seqLen()), training.evalBatches());
        }

        double loss(Evaluator evaluator) {
            try (TokenBatches batches = corpus.validationBatches(spec)) {
                return evaluator.loss(batches, batches());
            }
        }
    }
}
