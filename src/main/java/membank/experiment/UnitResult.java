package membank.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one (arm, seed, phase) unit measured after its phase: loss on the pretraining validation
 * data, recall of the pretrained facts, QA accuracy on the pretrained people and on the people the
 * instruct phase asked about, training speed and the phase's training FLOPs.
 */
public record UnitResult(String arm, String kind, long seed, String phase, String model, long params, int steps,
                         long tokens, double valLoss, double recall, double qaAccuracy, double instructQa,
                         double tokensPerSecond, double flopsPerToken, double trainFlops) {

    public boolean is(String arm, long seed, String phase) {
        return this.arm.equals(arm) && this.seed == seed && this.phase.equals(phase);
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("arm", arm).put("kind", kind).put("seed", seed).put("phase", phase).put("model", model).put("params", params)
                .put("steps", steps).put("tokens", tokens).put("val_loss", valLoss).put("recall", recall)
                .put("qa_accuracy", qaAccuracy).put("instruct_qa_accuracy", instructQa).put("tokens_per_s", tokensPerSecond)
                .put("flops_per_token", flopsPerToken).put("train_flops", trainFlops);
        return n;
    }

    public static UnitResult of(JsonNode n) {
        return new UnitResult(n.path("arm").asText(), n.path("kind").asText(), n.path("seed").asLong(), n.path("phase").asText(),
                n.path("model").asText(), n.path("params").asLong(), n.path("steps").asInt(), n.path("tokens").asLong(),
                n.path("val_loss").asDouble(), n.path("recall").asDouble(), n.path("qa_accuracy").asDouble(),
                n.path("instruct_qa_accuracy").asDouble(), n.path("tokens_per_s").asDouble(),
                n.path("flops_per_token").asDouble(), n.path("train_flops").asDouble());
    }
}
