package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import membank.config.AccessUnit;
import membank.config.AdapterMethod;
import membank.config.ConfigException;
import membank.config.ConfigJson;
import membank.config.DataConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.Overrides;
import membank.config.RunConfig;
import membank.config.SparseMemoryConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.memory.BankForm;
import membank.model.Adapters;
import membank.model.Checkpoint;
import membank.model.MemoryEstimate;
import membank.model.MemoryLM;
import membank.model.SparseMemoryAdapter;
import membank.nn.Devices;
import membank.nn.NativeError;
import membank.nn.Ops;
import membank.nn.Precision;

/**
 * Sparse memory finetuning (Lin et al. 2025) of a base that has a memory bank: count which bank
 * units (rows or chapters) the new data reads and which a background sample of the base's own data
 * reads, rank the new data's units by TF-IDF ({@link TfIdf}), and train the top t alone; every
 * other tensor, the rest of the bank included, stays bit for bit the base's. The adapter holds only
 * the changed rows ({@link SparseMemoryAdapter}) and the counts they were chosen from.
 */
public final class SparseMemoryAdaptation {
    /** The counts and the chosen units, beside the adapter. */
    public static final String SELECTION = "sparse_memory.json";

    private final Path base;
    private final SparseMemoryConfig sparse;
    private final RunConfig run;
    private final List<String> backgroundData;

    /**
     * @param run from {@link #configTree} after overrides
     * @param backgroundData the {@code training.data.*} assignments of a background data path; empty
     *                       for the default background (the base's own training data)
     */
    public SparseMemoryAdaptation(Path base, SparseMemoryConfig sparse, RunConfig run, List<String> backgroundData) {
        this.base = base;
        this.sparse = sparse;
        this.run = run;
        this.backgroundData = List.copyOf(backgroundData);
        refuseUnsupported(run.model().membank());
    }

    /**
     * The configuration tree of a sparse-memory adaptation of {@code base}: its config.json, memory
     * block included, with the adaptation's training defaults, then {@code assignments}
     * ({@code training.*} keys only: the memory is the base's).
     */
    public static ObjectNode configTree(Path base, List<String> assignments) {
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("--base " + base + ": no such directory");
        }
        JsonNode read = ConfigJson.read(Checkpoint.configFile(base));
        if (!(read instanceof ObjectNode root)) {
            throw new ConfigException(Checkpoint.configFile(base) + " must hold a JSON object");
        }
        if (!root.hasNonNull("membank")) {
            throw new IllegalArgumentException("--base " + base + " has no memory bank (its config.json has no \"membank\""
                    + " block): sparse-memory trains rows of the base's own bank; give a base trained with memory"
                    + " (membank train --preset tiny or small), or add memory layers with --method memory");
        }
        Adaptation.putTrainingDefaults(root, base);
        for (String a : assignments) {
            if (!a.startsWith("training.")) {
                throw new IllegalArgumentException("--set " + a + ": sparse-memory takes training.* keys only; the memory"
                        + " layout and the base's own keys come from " + Checkpoint.configFile(base));
            }
        }
        Overrides.apply(root, assignments);
        return root;
    }

    private void refuseUnsupported(MemoryConfig m) {
        if (m.bank().isQuantised()) {
            throw new IllegalArgumentException("--base " + base + " stores its bank quantised (membank.bank.quant = "
                    + m.bank().quant() + "): sparse-memory changes float rows; use a base with a float bank");
        }
        if (sparse.unit() == AccessUnit.CHAPTERS && m.chapters() == null) {
            throw new IllegalArgumentException("--unit chapters: the bank of --base " + base + " has no chapters"
                    + " (membank.chapters is null); use --unit rows");
        }
        long units = (long) units() * m.numBanks();
        if (topT() > units) {
            throw new IllegalArgumentException("--top-t " + topT() + " is more than the " + units + " " + sparse.unit().label()
                    + " of the base's bank" + (m.numBanks() > 1 ? "s" : "") + ": choose at most " + units);
        }
    }

    /** Units of one bank: rows, or chapters. */
    private int units() {
        return AccessCounter.units(sparse.unit(), run.model().membank());
    }

    private long rowsPerUnit() {
        MemoryConfig m = run.model().membank();
        return sparse.unit() == AccessUnit.CHAPTERS ? m.numTokens() / m.chapters().count() : 1;
    }

    /** The units that train: --top-t, or 1/16 of every bank's units together. */
    public int topT() {
        return sparse.topT((long) units() * run.model().membank().numBanks());
    }

    public RunConfig run() {
        return run;
    }

    /** The memory the adaptation needs: the base, and a gradient and AdamW moments for the trained rows alone. */
    public MemoryEstimate memoryEstimate() {
        ModelConfig m = run.model();
        long trainable = topT() * rowsPerUnit() * m.membank().bank().rowWidth(m.hiddenSize());
        return MemoryEstimate.adapting(m, run.training(), 0, trainable, Adaptation.weightFileBytes(base));
    }

    /** The new data, checked: call it before loading the base. */
    public Corpus openData() {
        return Corpus.open(run.training(), run.model());
    }

    /** The background sample's data, checked, with the base's tokenizer. */
    public Corpus openBackground() {
        String what = describeBackground();
        try {
            return Corpus.open(backgroundTraining(), run.model());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException("the background sample (" + what + "): " + e.getMessage()
                    + (sparse.defaultBackground() ? "; give --background PATH to count another sample" : ""), e);
        }
    }

    private String describeBackground() {
        return sparse.defaultBackground() ? "--background default, the base's training data as " + Checkpoint.configFile(base)
                + " records it" : "--background " + sparse.background();
    }

    private TrainConfig backgroundTraining() {
        if (!sparse.defaultBackground()) {
            ObjectNode tree = run.toJson();
            Overrides.apply(tree, backgroundData);
            return RunConfig.parse(tree).training();
        }
        JsonNode recorded = ConfigJson.read(Checkpoint.configFile(base)).get("training");
        if (recorded == null || recorded.isNull()) {
            throw new IllegalArgumentException(Checkpoint.configFile(base) + " records no training data");
        }
        DataConfig data = ConfigJson.parseTraining(recorded).data().withTokenizer(base.toString());
        return run.training().withData(data);
    }

    /**
     * A warning when the new data is the base's own knowledge set (same seed and size), so no row can
     * stand out against the background; null otherwise.
     */
    public String warning() {
        if (!sparse.defaultBackground()) {
            return null;
        }
        JsonNode recorded = ConfigJson.read(Checkpoint.configFile(base)).get("training");
        DataConfig own = recorded == null || recorded.isNull() ? null : ConfigJson.parseTraining(recorded).data();
        DataConfig fresh = run.training().data();
        boolean same = own != null && own.kind() == DataConfig.Kind.KNOWLEDGE && fresh.kind() == DataConfig.Kind.KNOWLEDGE
                && own.knowledgeSeed() == fresh.knowledgeSeed() && own.entities() == fresh.entities();
        return same ? "the new data is the base's own knowledge set (knowledge_seed " + fresh.knowledgeSeed() + ", "
                + fresh.entities() + " entities), so no unit stands out against the background: set"
                + " training.data.knowledge_seed to another seed, or --data PATH" : null;
    }

    /**
     * The base, every tensor frozen (the chosen rows are made trainable by {@link #start}). With bf16
     * precision a base stored in bf16 stays bf16 in memory.
     */
    public MemoryLM model(Precision precision) {
        manual_seed(run.training().seed());
        MemoryLM model = NativeError.during("loading the base " + base, () -> Checkpoint.load(base, BankForm.TRAINABLE));
        model.namedParameters().values().forEach(p -> p.requires_grad_(false));
        if (precision == Precision.BF16 && run.model().torchDtype() == ModelConfig.Dtype.BFLOAT16) {
            Adapters.storeFrozenInBf16(model);
        }
        return model;
    }

    /** Counts the reads of the new data and of the background on {@code model} and chooses the units to train. */
    public SparseSelection select(MemoryLM model, Corpus data, Corpus background, Precision precision, boolean progress) {
        TrainConfig t = run.training();
        BatchSpec spec = new BatchSpec(t.batchSize(), t.seqLen());
        AccessCounter counter = new AccessCounter(model, sparse.unit(), sparse.accessTopK(), precision);
        AccessCounts fresh = NativeError.during("counting the bank reads of the new data", () -> counter.count(
                data.trainingBatches(spec), sparse.countBatches(t.steps(), t.gradAccum()), "count new", progress));
        AccessCounts reference = NativeError.during("counting the bank reads of the background", () -> counter.count(
                background.trainingBatches(spec), sparse.backgroundBatches(), "count background", progress));
        return SparseSelection.choose(sparse.unit(), topT(), rowsPerUnit(), fresh, reference);
    }

    /**
     * A run that trains the chosen rows of {@code model} on {@code corpus} into {@code out}, which gets
     * the base's tokenizer files now and the adapter, with the counts, when training ends.
     */
    public TrainingRun start(MemoryLM model, SparseSelection selection, Corpus corpus, Corpus background, Path out,
                             Precision precision) {
        return start(model, selection, corpus, background, out, precision, Devices.cpu());
    }

    /**
     * {@link #start(MemoryLM, SparseSelection, Corpus, Corpus, Path, Precision)} on {@code device}:
     * the model is moved there before the chosen rows are, which are then made on the bank's device.
     */
    public TrainingRun start(MemoryLM model, SparseSelection selection, Corpus corpus, Corpus background, Path out,
                             Precision precision, Device device) {
        model.to(device, false);
        if (selection.chosen().isEmpty()) {
            throw new IllegalArgumentException("the new data read no unit of the bank of --base " + base
                    + ": nothing to train; count more of it (--count-batches) or check --data");
        }
        for (int b = 0; b < model.numBanks(); b++) {
            long[] rows = selection.rows(b);
            if (rows.length > 0) {
                model.bank(b).trainOnlyRows(Ops.longs(rows));
            }
        }
        RunConfig resolved = run.withData(corpus.data());
        ObjectNode counts = selection.toJson(corpus.description(), background.description(), sparse.accessTopK());
        TrainingRun training = TrainingRun.adapting(resolved, out, precision, model, corpus,
                (m, d) -> write(m, d, resolved, counts, selection), "adapter", DataParallel.single(device));
        Adaptation.copyTokenizerFiles(base, out);
        return training;
    }

    /** Checks both samples, counts, chooses and trains {@code model} (from {@link #model}) into {@code out}. */
    public RunSummary train(MemoryLM model, Path out, Precision precision, boolean progress) {
        return train(model, out, precision, progress, Devices.cpu());
    }

    /** {@link #train(MemoryLM, Path, Precision, boolean)} on {@code device}, where the reads are counted too. */
    public RunSummary train(MemoryLM model, Path out, Precision precision, boolean progress, Device device) {
        Corpus data = openData();
        Corpus background = openBackground();
        model.to(device, false);
        SparseSelection selection = select(model, data, background, precision, progress);
        TrainingRun training = start(model, selection, data, background, out, precision, device);
        return (progress ? training : training.quiet()).train();
    }

    /** The changed rows, the counts, the training block, then adapter_config.json, which marks a whole adapter. */
    private void write(MemoryLM model, Path dir, RunConfig resolved, ObjectNode counts, SparseSelection selection) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SparseMemoryAdapter.saveWeights(model, dir.resolve(Adapters.WEIGHTS));
        ConfigJson.write(dir.resolve(SELECTION), counts);
        ConfigJson.write(dir.resolve(Adaptation.TRAINING), resolved.toJson().get("training"));
        ConfigJson.write(dir.resolve(Adapters.CONFIG), adapterConfig(selection));
    }

    private ObjectNode adapterConfig(SparseSelection selection) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("base_model_name_or_path", base.toString());
        node.put("peft_type", AdapterMethod.SPARSE_MEMORY.peftType());
        node.put("task_type", "CAUSAL_LM");
        node.put("inference_mode", true);
        ObjectNode block = node.putObject("sparse_memory");
        block.put("unit", sparse.unit().label());
        block.put("top_t", selection.topT());
        block.put("chosen", selection.chosen().size());
        block.put("trained_rows", selection.trainedRows());
        block.put("access_top_k", sparse.accessTopK());
        block.put("background", sparse.background());
        block.put("counts", SELECTION);
        return node;
    }
}
