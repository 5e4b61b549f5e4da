package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.data.WordTokenizer;

/**
 * A model and how to train it: a config.json that may hold a {@code "training"} block (presets and
 * experiment files are of this form). A missing training block gives every default.
 */
public record RunConfig(ModelConfig model, TrainConfig training) {

    public static RunConfig parse(JsonNode root) {
        ModelConfig model = ModelJson.parse(root);
        TrainConfig training = TrainJson.parse(root.get(TrainConfig.PATH));
        return new RunConfig(wordVocabulary(model, training.data()), training);
    }

    /**
     * The word tokenizer's vocabulary is fixed by the knowledge set, not by the preset, whose
     * vocab_size and BOS/EOS ids are the byte tokenizer's: a smaller vocab_size is raised to it,
     * rounded up to a multiple of 64 as the presets pad theirs, and bos/eos_token_id become its
     * own. They must: config.json beside the run's tokenizer.json is where eval looks for the EOS
     * id first, and the byte tokenizer's 257 is an ordinary word here. The run's config.json
     * records what it trained with.
     */
    static ModelConfig wordVocabulary(ModelConfig model, DataConfig data) {
        if (!DataConfig.WORD.equals(data.tokenizer())) {
            return model;
        }
        int size = Math.max(model.vocabSize(), (WordTokenizer.vocabSize() + 63) / 64 * 64);
        return model.withTokenizer(size, WordTokenizer.BOS_ID, WordTokenizer.EOS_ID);
    }

    public RunConfig withData(DataConfig data) {
        return new RunConfig(model, training.withData(data));
    }

    /** config.json keys of the model followed by the training block. */
    public ObjectNode toJson() {
        ObjectNode node = ModelJson.write(model);
        node.set(TrainConfig.PATH, TrainJson.write(training));
        return node;
    }
}
