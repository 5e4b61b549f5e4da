package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A model and how to train it: a config.json that may hold a {@code "training"} block (presets and
 * experiment files are of this form). A missing training block gives every default.
 */
public record RunConfig(ModelConfig model, TrainConfig training) {

    public static RunConfig parse(JsonNode root) {
        ModelConfig model = ModelJson.parse(root);
        return new RunConfig(model, TrainJson.parse(root.get(TrainJson.PATH)));
    }

    public RunConfig withData(DataConfig data) {
        return new RunConfig(model, training.withData(data));
    }

    /** config.json keys of the model followed by the training block. */
    public ObjectNode toJson() {
        ObjectNode node = ModelJson.write(model);
        node.set(TrainJson.PATH, TrainJson.write(training));
        return node;
    }
}
