package membank.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.ConfigJson;
import membank.config.TrainConfig;
import membank.data.Tokenizer;
import membank.model.Checkpoint;
import membank.model.MemoryLM;

/** A model directory as the commands use it: the model, its tokenizer and its training block. */
final class ModelDir {
    private ModelDir() {
    }

    static MemoryLM model(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model " + dir + ": no such directory");
        }
        MemoryLM model = Checkpoint.load(dir);
        model.train(false);
        return model;
    }

    static Tokenizer tokenizer(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json: pass token ids with --ids instead of text,"
                    + " or copy the tokenizer.json the model was trained with into " + dir);
        }
        return Tokenizer.load(file);
    }

    /** The training block saved with the model, or defaults for a model trained elsewhere. */
    static TrainConfig training(Path dir) {
        JsonNode root = ConfigJson.read(Checkpoint.configFile(dir));
        return ConfigJson.parseTraining(root.get("training"));
    }
}
