package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.AdapterConfig;
import membank.config.AdapterMethod;
import membank.config.ConfigException;
import membank.config.ConfigJson;
import membank.config.LoraConfig;
import membank.config.ModelConfig;
import membank.config.Overrides;
import membank.config.ParameterCount;
import membank.config.RunConfig;
import membank.memory.BankForm;
import membank.model.Adapters;
import membank.model.Checkpoint;
import membank.model.MemoryEstimate;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.nn.NativeError;
import membank.nn.Precision;
import membank.util.AtomicFile;

/**
 * Fine-tuning a pretrained base: memory layers and/or LoRA on the frozen base (written as an
 * adapter directory) or every weight (written as a whole model). The run configuration is the
 * base's config.json with a memory block and an adaptation training block, then the user's
 * {@code membank.*} / {@code training.*} overrides.
 */
public final class Adaptation {
    /** Where {@code --merge} writes the base with the LoRA update folded in, inside the output. */
    public static final String MERGED = "merged";
    /** The training block an adapter was trained with, beside adapter_config.json. */
    public static final String TRAINING = "training.json";
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json");

    private final Path base;
    private final AdapterMethod method;
    private final LoraConfig lora;
    private final MemoryFreeze freeze;
    private final RunConfig run;

    /**
     * @param lora the LoRA settings, required exactly when {@code method} uses LoRA
     * @param run from {@link #configTree} after overrides
     */
    public Adaptation(Path base, AdapterMethod method, LoraConfig lora, MemoryFreeze freeze, RunConfig run) {
        if (method.needsMemoryBase()) {
            throw new IllegalArgumentException("method " + method.cliName() + " adapts through SparseMemoryAdaptation");
        }
        if (method.usesLora() != (lora != null)) {
            throw new IllegalArgumentException("method " + method.cliName() + (lora == null ? " needs" : " takes no") + " LoRA settings");
        }
        refuseNothingToFreeze(method, freeze, run);
        this.base = base;
        this.method = method;
        this.lora = lora;
        this.freeze = freeze;
        this.run = run;
    }

    /** --freeze names memory tensors: LoRA trains none, and full fine-tuning of a plain base has none to keep. */
    private static void refuseNothingToFreeze(AdapterMethod method, MemoryFreeze freeze, RunConfig run) {
        if (freeze == MemoryFreeze.NONE) {
            return;
        }
        if (method == AdapterMethod.LORA || method == AdapterMethod.FULL && !run.model().hasMemory()) {
            throw new IllegalArgumentException("--freeze " + freeze.label() + ": --method " + method.cliName()
                    + (method == AdapterMethod.LORA ? " trains no memory" : " on a base without memory has no bank to keep")
                    + "; --freeze applies to memory, memory+lora, and full on a base with memory");
        }
    }

    /**
     * The configuration tree of an adaptation of {@code base}: its config.json (its memory block kept
     * for full fine-tuning only), 4,096 memory tokens in every layer when the method adds memory, adaptation defaults (200 steps, lr 2e-4
     * for LoRA and full fine-tuning, 1e-3 for memory layers and bank, the base's tokenizer), then
     * {@code assignments} ({@code membank.*} and {@code training.*} keys only).
     */
    public static ObjectNode configTree(Path base, AdapterMethod method, List<String> assignments) {
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("--base " + base + ": no such directory");
        }
        JsonNode read = ConfigJson.read(Checkpoint.configFile(base));
        if (!(read instanceof ObjectNode root)) {
            throw new ConfigException(Checkpoint.configFile(base) + " must hold a JSON object");
        }
        // full fine-tuning trains whatever the base has, its memory included; the other methods add to a plain base
        if (root.hasNonNull("membank") && method != AdapterMethod.FULL) {
            throw new IllegalArgumentException("--base " + base + " already has memory layers; adapters go on a plain model"
                    + " (on a base with memory: --method sparse-memory or full)");
        }
        if (method != AdapterMethod.FULL) {
            root.remove("membank");
        }
        if (method.usesMemory()) {
            root.putObject("membank").put("num_tokens", 4096);
        }
        putTrainingDefaults(root, base);
        for (String a : assignments) {
            if (!a.startsWith("membank.") && !a.startsWith("training.")) {
                throw new IllegalArgumentException("--set " + a + ": adaptation takes membank.* and training.* keys; the"
                        + " base's own keys come from " + Checkpoint.configFile(base));
            }
            if (a.startsWith("membank.") && !method.usesMemory()) {
                throw new IllegalArgumentException("--set " + a + ": method " + method.cliName() + " adds no memory");
            }
        }
        Overrides.apply(root, assignments);
        return root;
    }

    /**
     * Replaces the base's training block by adaptation defaults: 200 steps, lr 2e-4 for LoRA and full
     * fine-tuning, 1e-3 for memory layers and bank, 20 warm-up steps, the base's tokenizer.
     */
    static void putTrainingDefaults(ObjectNode root, Path base) {
        root.remove("training");
        ObjectNode training = root.putObject("training");
        training.put("steps", 200).put("lr", 2e-4).put("memory_lr", 1e-3).put("bank_lr", 1e-3).put("warmup_steps", 20);
        training.putObject("data").put("tokenizer", base.toString());
    }

    public RunConfig run() {
        return run;
    }

    /**
     * The base with this method's tensors added (fresh) and only those set to train. With bf16
     * precision a base stored in bf16 stays bf16 in memory (its frozen part; trained tensors keep
     * float32 masters).
     */
    public MemoryLM model(Precision precision) {
        manual_seed(run.training().seed());
        MemoryLM model = NativeError.during("loading the base " + base + " with the " + method.cliName() + " adapter",
                () -> method == AdapterMethod.FULL ? Checkpoint.load(base, BankForm.TRAINABLE) : Adapters.create(base, adapterConfig()));
        Adapters.setTrainable(model, method, freeze);
        if (precision == Precision.BF16 && run.model().torchDtype() == ModelConfig.Dtype.BFLOAT16) {
            Adapters.storeFrozenInBf16(model);
        }
        return model;
    }

    /**
     * The memory this adaptation needs, from the configuration and the size of the base's weight
     * files, before anything is loaded (frozen parts of the memory are counted as trainable).
     */
    public MemoryEstimate memoryEstimate() {
        ModelConfig m = run.model();
        long added = method.usesLora() ? ParameterCount.lora(m, lora) : 0;
        long trainable = switch (method) {
            case FULL -> ParameterCount.total(m);
            case LORA -> added;
            case MEMORY, MEMORY_LORA -> ParameterCount.memory(m) + added;
            case SPARSE_MEMORY -> throw new IllegalStateException("sparse-memory is estimated by SparseMemoryAdaptation");
        };
        return MemoryEstimate.adapting(m, run.training(), added, trainable, weightFileBytes(base));
    }

    static long weightFileBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            long bytes = 0;
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList()) {
                bytes += Files.size(f);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the weight files of " + dir, e);
        }
    }

    private AdapterConfig adapterConfig() {
        return new AdapterConfig(method, base.toString(), lora, method.usesMemory() ? run.model().membank() : null);
    }

    /** How the result is written: an adapter directory, or a whole model for full fine-tuning. */
    private ModelWriter writer(RunConfig resolved) {
        if (method == AdapterMethod.FULL) {
            return (m, d) -> Checkpoint.save(m, d, resolved.toJson());
        }
        AdapterConfig adapter = adapterConfig();
        return (m, d) -> {
            Adapters.save(m, adapter, d);
            ConfigJson.write(d.resolve(TRAINING), resolved.toJson().get("training"));
        };
    }

    /** "adapter", or "model" for full fine-tuning: what {@code out} holds after training. */
    public String result() {
        return method == AdapterMethod.FULL ? "model" : "adapter";
    }

    /** The run's data, checked (tokenizer against the base, every document, the split): call it before loading the base. */
    public Corpus openData() {
        return Corpus.open(run.training(), run.model());
    }

    /**
     * A run that trains {@code model} (from {@link #model}) on {@code corpus} (from {@link #openData})
     * into {@code out}, which gets the base's tokenizer files now, so a finished adapter never lacks them.
     */
    public TrainingRun start(MemoryLM model, Corpus corpus, Path out, Precision precision) {
        return start(model, corpus, out, precision, DataParallel.SINGLE);
    }

    /** {@link #start(MemoryLM, Corpus, Path, Precision)} as one rank of a data-parallel job (rank 0 writes {@code out}). */
    public TrainingRun start(MemoryLM model, Corpus corpus, Path out, Precision precision, DataParallel parallel) {
        RunConfig resolved = run.withData(corpus.data());
        TrainingRun training = TrainingRun.adapting(resolved, out, precision, model, corpus, writer(resolved), result(), parallel);
        if (parallel.writes()) {
            copyTokenizerFiles(out);
        }
        return training;
    }

    /** Checks the data, trains {@code model} and writes the result, with the base's tokenizer files, to {@code out}. */
    public RunSummary train(MemoryLM model, Path out, Precision precision, boolean progress) {
        return train(model, out, precision, progress, DataParallel.SINGLE);
    }

    /** {@link #train(MemoryLM, Path, Precision, boolean)} on {@code parallel}'s device (and ranks). */
    public RunSummary train(MemoryLM model, Path out, Precision precision, boolean progress, DataParallel parallel) {
        TrainingRun training = start(model, openData(), out, precision, parallel);
        return (progress ? training : training.quiet()).train();
    }

    /** Writes the base with the LoRA update folded in to {@code out}/merged, a plain model directory. */
    public Path writeMerged(MemoryLM model, Path out) {
        requireMergeable(method);
        Path merged = out.resolve(MERGED);
        Checkpoint.save(Adapters.merged(model), merged, ConfigJson.toJson(model.config()));
        copyTokenizerFiles(merged);
        return merged;
    }

    /** Refuses {@code --merge} for a method other than LoRA (only a LoRA update folds into the base weights). */
    public static void requireMergeable(AdapterMethod method) {
        if (method != AdapterMethod.LORA) {
            throw new IllegalArgumentException("--merge folds a LoRA update into the base; it needs --method lora, not "
                    + method.cliName());
        }
    }

    /** Trainable scalars of {@code model}. */
    public static long trainable(MemoryLM model) {
        return model.namedParameters().values().stream().filter(t -> t.requires_grad()).mapToLong(t -> t.numel()).sum();
    }

    /** tokenizer_config.json (chat template, special tokens) travels with the tokenizer. */
    private void copyTokenizerFiles(Path dir) {
        copyTokenizerFiles(base, dir);
    }

    /** The tokenizer files of {@code base} that {@code dir} lacks, copied into it. */
    static void copyTokenizerFiles(Path base, Path dir) {
        try {
            for (String name : TOKENIZER_FILES) {
                Path from = base.resolve(name);
                if (Files.isRegularFile(from) && !Files.exists(dir.resolve(name))) {
                    AtomicFile.copy(from, dir.resolve(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the tokenizer files of " + base + " to " + dir, e);
        }
    }
}
