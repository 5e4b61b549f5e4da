package membank.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.AdapterConfig;
import membank.config.AdapterJson;
import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.config.ModelConfig;
import membank.memory.BankForm;
import membank.nn.Lora;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Adapters on a frozen pretrained base, stored as PEFT does (spec/checkpoint-format.md): a
 * directory with {@code adapter_config.json} and {@code adapter_model.safetensors} holding only the
 * tensors the adapter adds (memory banks and layers, routers, LoRA A/B), under their full-model
 * names with PEFT's {@code base_model.model.} prefix so that PEFT loads a LoRA adapter as it is.
 */
public final class Adapters {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    static final String PEFT_PREFIX = "base_model.model.";

    private Adapters() {
    }

    /** Whether a tensor belongs to an adapter rather than to the base transformer. */
    public static boolean isAdapterTensor(String name) {
        return ParameterRole.of(name) != ParameterRole.BACKBONE || Lora.isLoraTensor(name);
    }

    /** The base model's configuration, refusing a base that already has memory layers. */
    public static ModelConfig baseConfig(Path baseDir) {
        ModelConfig base = ConfigJson.readModel(Checkpoint.configFile(baseDir));
        if (base.hasMemory()) {
            throw new CheckpointException(baseDir + " already has memory layers (its config.json has a \"membank\""
                    + " block); adapters go on a plain Qwen2/Llama base");
        }
        return base;
    }

    /**
     * The base model in {@code baseDir} with the adapter's memory layers and LoRA updates added and
     * freshly initialised so that the model computes exactly what the base does: memory output
     * projections and LoRA B start at zero.
     */
    public static MemoryLM create(Path baseDir, AdapterConfig adapter) {
        return create(baseDir, adapter, BankForm.TRAINABLE);
    }

    private static MemoryLM create(Path baseDir, AdapterConfig adapter, BankForm form) {
        ModelConfig base = baseConfig(baseDir);
        MemoryLM model = new MemoryLM(adapter.membank() == null ? base : base.withMembank(adapter.membank()), form);
        if (adapter.lora() != null) {
            model.addLora(adapter.lora());
        }
        Checkpoint.loadWeights(model, baseDir, Adapters::isAdapterTensor);
        zeroMemoryMlpOutputs(model);
        return model;
    }

    /** Variant B's memory MLP adds its output to the stream; starting it at zero keeps step 0 the base. */
    private static void zeroMemoryMlpOutputs(MemoryLM model) {
        try (Scope ignored = Scope.noGrad()) {
            model.namedParameters().forEach((name, p) -> {
                if (name.endsWith(".memory_mlp.down_proj.weight")) {
                    p.zero_();
                }
            });
        }
    }

    /**
     * The base with a saved adapter applied, for inference (a quantised bank keeps its codes); the
     * adapter directory must match the base's shapes. A sparse-memory adapter sets rows of the
     * base's own bank ({@link SparseMemoryAdapter}).
     */
    public static MemoryLM load(Path baseDir, Path adapterDir) {
        if (SparseMemoryAdapter.isOne(adapterDir)) {
            return SparseMemoryAdapter.load(baseDir, adapterDir);
        }
        AdapterConfig adapter = readConfig(adapterDir, baseConfig(baseDir));
        MemoryLM model = create(baseDir, adapter, BankForm.QUANTISED);
        Path file = adapterDir.resolve(WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + " not found: an adapter directory holds " + CONFIG + " and " + WEIGHTS);
        }
        Map<String, Tensor> unprefixed = new LinkedHashMap<>();
        SafeTensors.read(file).forEach((name, t) -> unprefixed.put(stripPrefix(name), t));
        Map<String, Tensor> adapterTensors = new LinkedHashMap<>();
        model.namedTensors().forEach((name, t) -> {
            if (isAdapterTensor(name)) {
                adapterTensors.put(name, t);
            }
        });
        Checkpoint.fillAll(adapterTensors, model.loadable(unprefixed, file), file, name -> false, name -> false,
                CONFIG + " describes an adapter that has it (config and weights disagree)",
                "the adapter that " + CONFIG + " describes on base " + baseDir + " (wrong base, or config and weights disagree)");
        return model;
    }

    public static AdapterConfig readConfig(Path adapterDir, ModelConfig base) {
        Path config = adapterDir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new CheckpointException(config + " not found: pass an adapter directory written by 'membank adapt'"
                    + " (or a PEFT LoRA adapter)");
        }
        return AdapterJson.parse(ConfigJson.read(config), base);
    }

    /**
     * Writes the adapter's tensors (only those not in the base; a quantised bank as its codes and
     * scales), then adapter_config.json.
     */
    public static void save(MemoryLM model, AdapterConfig adapter, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.storedTensors().forEach((name, p) -> {
            if (isAdapterTensor(name)) {
                tensors.put(PEFT_PREFIX + name, p.detach());
            }
        });
        SafeTensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        ConfigJson.write(dir.resolve(CONFIG), AdapterJson.write(adapter));
    }

    /**
     * Makes only what {@code method} trains require gradients: adapter tensors (minus what
     * {@code freeze} keeps fixed), or for full fine-tuning everything {@code freeze} does not keep.
     */
    public static void setTrainable(MemoryLM model, AdapterMethod method, MemoryFreeze freeze) {
        model.namedParameters().forEach((name, p) -> {
            // full fine-tuning of a base with memory may keep its bank (and K/V) as they are, as an adapter may
            boolean trainable = (method == AdapterMethod.FULL || isAdapterTensor(name)) && !freeze.freezes(name);
            p.requires_grad_(trainable);
        });
    }

    /**
     * Keeps the frozen float32 tensors of a model in bfloat16, halving their memory: for a base
     * stored in bf16 these are its exact values, and under bf16 autocast every matmul reads bf16
     * anyway. Trainable tensors keep their float32 master copies.
     */
    public static void storeFrozenInBf16(MemoryLM model) {
        try (Scope ignored = Scope.noGrad()) {
            model.namedParameters().forEach((name, p) -> {
                if (!p.requires_grad() && Ops.isFloat32(p)) {
                    p.set_data(p.to(ScalarType.BFloat16));
                }
            });
        }
    }

    /**
     * The whole model with every LoRA update folded into its weight and the LoRA tensors dropped:
     * the tensors of a plain checkpoint (with memory, if the adapter has it).
     */
    public static Map<String, Tensor> merged(MemoryLM model) {
        Map<String, Tensor> folded = model.mergedLoraWeights();
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.storedTensors().forEach((name, p) -> {
            if (!Lora.isLoraTensor(name)) {
                out.put(name, folded.getOrDefault(name, p));
            }
        });
        return out;
    }

    private static String stripPrefix(String name) {
        return name.startsWith(PEFT_PREFIX) ? name.substring(PEFT_PREFIX.length()) : name;
    }
}
