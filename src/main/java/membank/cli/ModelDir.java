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

    /**
     * The attention window commands assume: {@code requested}, or the seq_len the model was
     * trained with; refused unless it leaves room to generate within max_position_embeddings.
     */
    static int window(Path dir, MemoryLM model, Integer requested) {
        int positions = model.config().maxPositionEmbeddings();
        int window = requested != null ? requested : Math.min(training(dir).seqLen(), positions - 1);
        if (window < 8 || window >= positions) {
            throw new IllegalArgumentException("--window " + window + " must be in [8, " + (positions - 1)
                    + "]: the model handles " + positions + " positions (max_position_embeddings)");
        }
        return window;
    }

    /** The training block saved with the model, or defaults for a model trained elsewhere. */
    static TrainConfig training(Path dir) {
        JsonNode root = ConfigJson.read(Checkpoint.configFile(dir));
        return ConfigJson.parseTraining(root.get("training"));
    }
}
