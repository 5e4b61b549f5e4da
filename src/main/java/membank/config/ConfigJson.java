package membank.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import membank.util.AtomicFile;

/**
 * config.json in and out (spec: checkpoint-format.md). Parsing validates everything once, so code
 * that receives a {@link ModelConfig} can trust it; every error is a {@link ConfigException} naming
 * the dotted key, the value and what is allowed. Writing produces the spec's key names, with the
 * memory layers as a resolved list, and {@code parse(toJson(c))} gives back {@code c}.
 */
public final class ConfigJson {
    private ConfigJson() {
    }

    public static ModelConfig readModel(Path configJson) {
        return parseModel(read(configJson));
    }

    /** The model of a config.json; a {@code "training"} block, if any, is ignored here. */
    public static ModelConfig parseModel(JsonNode root) {
        return ModelJson.parse(root);
    }

    /** The memory block alone (as in adapter_config.json), validated against the base model. */
    public static MemoryConfig parseMemory(JsonNode membankOrNull, ModelConfig base) {
        return MemoryJson.parse(membankOrNull, base);
    }

    /**
     * A {@code membank.context} block for a model of config {@code model} (which must have memory):
     * missing keys get the defaults, and the block is validated against the model's bank.
     */
    public static ContextConfig parseContext(JsonNode block, ModelConfig model) {
        ContextConfig context = Bind.read(block, ContextConfig.Builder.class, ContextConfig.PATH).build();
        context.checkBank(model.membank().bank(), model.hiddenSize());
        return context;
    }

    /** Null, JSON null or missing keys give the defaults. */
    public static TrainConfig parseTraining(JsonNode trainingBlockOrNull) {
        return TrainJson.parse(trainingBlockOrNull);
    }

    public static RunConfig parseRun(JsonNode root) {
        return RunConfig.parse(root);
    }

    public static ObjectNode toJson(ModelConfig model) {
        return ModelJson.write(model);
    }

    public static ObjectNode toJson(MemoryConfig memory) {
        return MemoryJson.write(memory);
    }

    public static ObjectNode toJson(TrainConfig training) {
        return TrainJson.write(training);
    }

    public static ObjectNode toJson(RunConfig run) {
        return run.toJson();
    }

    /** Writes config.json atomically (temporary sibling, fsync, rename), pretty printed. */
    public static void writeModel(Path configJson, ModelConfig model) {
        write(configJson, toJson(model));
    }

    /** Writes any config tree atomically, pretty printed. */
    public static void write(Path file, JsonNode tree) {
        try {
            AtomicFile.write(file, Json.mapper().writeValueAsBytes(tree));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a JSON file; a missing file or broken JSON is a ConfigException naming the file. */
    public static JsonNode read(Path file) {
        try {
            return Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
