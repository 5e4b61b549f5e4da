package membank.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.ConfigJson;
import membank.config.ModelConfig;
import membank.memory.BankForm;
import membank.nn.NativeError;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * A model directory in the Hugging Face layout: config.json plus model.safetensors (or shards).
 * Loading checks every tensor against the configuration; saving writes weights first and the
 * configuration last, each file atomically.
 */
public final class Checkpoint {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    /** Beside a training checkpoint: the float copies of quantised banks, whose codes alone are in WEIGHTS. */
    public static final String BANK_COPIES = "bank_float.safetensors";
    /** Hugging Face's loader refuses safetensors files without format=pt in their metadata. */
    private static final Map<String, String> METADATA = Map.of("format", "pt");

    private Checkpoint() {
    }

    /** The model for inference: quantised banks keep their int codes and dequantise as they are read. */
    public static MemoryLM load(Path dir) {
        return load(dir, BankForm.QUANTISED);
    }

    /**
     * The model with quantised banks held as {@code form} says: {@link BankForm#TRAINABLE} to train
     * on (a float copy, from the dequantised codes), {@link BankForm#QUANTISED} for inference.
     */
    public static MemoryLM load(Path dir, BankForm form) {
        ModelConfig config = ConfigJson.readModel(configFile(dir));
        return NativeError.during("loading the model in " + dir, () -> {
            MemoryLM model = new MemoryLM(config, form);
            loadWeights(model, dir);
            return model;
        });
    }

    public static Path configFile(Path dir) {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new CheckpointException(config + " not found: a model directory holds config.json and"
                    + " model.safetensors (train one with 'membank train --out DIR')");
        }
        return config;
    }

    /** Copies the checkpoint's tensors into the model's parameters, refusing any disagreement. */
    public static void loadWeights(MemoryLM model, Path dir) {
        loadWeights(model, dir, name -> false);
    }

    /**
     * Copies the checkpoint's tensors into the model's parameters; parameters for which
     * {@code added} holds (an adapter's, on a base checkpoint) are left as they are when absent.
     */
    public static void loadWeights(MemoryLM model, Path dir, Predicate<String> added) {
        Path source = dir.resolve(WEIGHTS);
        fillAll(model.namedTensors(), model.loadable(SafeTensors.readCheckpoint(dir), source), source, added,
                name -> isTiedHead(model, name),
                CONFIG + " describes a model that has it (config and weights disagree)",
                "the model that " + CONFIG + " describes (config and weights disagree)");
    }

    /**
     * Copies {@code stored} tensors into {@code targets} by name, refusing a target the file lacks
     * (unless {@code mayLack}) and a stored tensor no target takes (unless {@code mayIgnore}).
     *
     * @param lacking how the error for a missing tensor ends ("...is missing, but " + lacking)
     * @param extra what an unknown tensor is not part of
     */
    static void fillAll(Map<String, Tensor> targets, Map<String, Tensor> stored, Path file, Predicate<String> mayLack,
                        Predicate<String> mayIgnore, String lacking, String extra) {
        try (Scope ignored = Scope.noGrad()) {
            targets.forEach((name, target) -> {
                Tensor t = stored.get(name);
                if (t == null && mayLack.test(name)) {
                    return;
                }
                if (t == null) {
                    throw new CheckpointException(file + ": tensor '" + name + "' is missing, but " + lacking);
                }
                fill(file, name, t, target);
            });
        }
        for (String name : stored.keySet()) {
            if (!targets.containsKey(name) && !mayIgnore.test(name)) {
                throw new CheckpointException(file + ": tensor '" + name + "' is not part of " + extra);
            }
        }
    }

    /** Copies a stored tensor into the model's, refusing another shape, or another dtype of int codes. */
    static void fill(Path file, String name, Tensor stored, Tensor target) {
        SafeTensors.checkShape(file, name, stored, Ops.shape(target));
        if (!Ops.isFloatingPoint(target)) {
            SafeTensors.checkType(file, name, stored, target.scalar_type());
        }
        target.copy_(stored);
    }

    /** Some exporters store lm_head.weight even when it is tied to the embedding; it is ignored then. */
    private static boolean isTiedHead(MemoryLM model, String name) {
        return name.equals("lm_head.weight") && model.config().tieWordEmbeddings();
    }

    /**
     * Writes model.safetensors, then config.json ({@code config} may carry a "training" block).
     * Quantised banks are written as their codes and scales, also while training a float copy.
     */
    public static void save(MemoryLM model, Path dir, JsonNode config) {
        save(model.storedTensors(), dir, config);
    }

    /** Writes {@code tensors} as model.safetensors, then config.json. */
    public static void save(Map<String, Tensor> tensors, Path dir, JsonNode config) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> detached = new java.util.LinkedHashMap<>();
        tensors.forEach((name, p) -> detached.put(name, p.detach()));
        SafeTensors.write(dir.resolve(WEIGHTS), detached, METADATA);
        ConfigJson.write(dir.resolve(CONFIG), config);
    }

    /** Writes the float copies that quantised banks train (nothing without them), for an exact resume. */
    public static void saveBankCopies(MemoryLM model, Path dir) {
        Map<String, Tensor> copies = new java.util.LinkedHashMap<>();
        BankTensors.floatCopies(model).forEach((name, t) -> copies.put(name, t.detach()));
        if (!copies.isEmpty()) {
            SafeTensors.write(dir.resolve(BANK_COPIES), copies, METADATA);
        }
    }

    /**
     * Restores the float copies of quantised banks written by {@link #saveBankCopies}; without that
     * file they stay as loaded (the dequantised codes).
     */
    public static void loadBankCopies(MemoryLM model, Path dir) {
        Path file = dir.resolve(BANK_COPIES);
        Map<String, Tensor> copies = BankTensors.floatCopies(model);
        if (copies.isEmpty() || !Files.isRegularFile(file)) {
            return;
        }
        Map<String, Tensor> stored = SafeTensors.read(file);
        try (Scope ignored = Scope.noGrad()) {
            copies.forEach((name, param) -> {
                Tensor t = stored.get(name);
                if (t == null) {
                    throw new CheckpointException(file + ": tensor '" + name + "' is missing");
                }
                fill(file, name, t, param);
            });
        }
    }

    public static void save(MemoryLM model, Path dir) {
        save(model, dir, ConfigJson.toJson(model.config()));
    }
}
