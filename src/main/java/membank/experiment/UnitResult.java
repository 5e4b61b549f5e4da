package membank.experiment;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.util.ResultsFile;

/**
 * What one (sweep point, arm, seed, phase) unit measured after its phase: loss on the pretraining
 * validation data (and in bits per byte), recall of the pretrained facts, QA accuracy on the
 * pretrained people and on the people the instruct phase asked about, the bits of knowledge the
 * recall shows, the share of facts known after pretraining still known, how often each training
 * document was seen, training speed, the phase's training FLOPs and the unit's wall time (training
 * and measuring, seconds; a shared pretraining costs nothing again). Measures that do not apply
 * (recall on text data, kept facts after pretraining) are NaN, written as null.
 */
public record UnitResult(String point, String arm, String kind, long seed, String phase, String model, long params, int steps,
                         long tokens, double exposures, double valLoss, double bitsPerByte, double recall, double qaAccuracy,
                         double instructQa, double knowledgeBits, double knownKept, double tokensPerSecond,
                         double flopsPerToken, double trainFlops, double wallSeconds) {

    public boolean is(String point, String arm, long seed, String phase) {
        return this.point.equals(point) && this.arm.equals(arm) && this.seed == seed && this.phase.equals(phase);
    }

    /** This result under another arm's name (an arm whose pretraining was the very same run). */
    UnitResult as(String arm, String kind) {
        return new UnitResult(point, arm, kind, seed, phase, model, params, steps, tokens, exposures, valLoss, bitsPerByte, recall,
                qaAccuracy, instructQa, knowledgeBits, knownKept, tokensPerSecond, flopsPerToken, trainFlops, 0);
    }

    UnitResult withWallSeconds(double seconds) {
        return new UnitResult(point, arm, kind, seed, phase, model, params, steps, tokens, exposures, valLoss, bitsPerByte, recall,
                qaAccuracy, instructQa, knowledgeBits, knownKept, tokensPerSecond, flopsPerToken, trainFlops, seconds);
    }

    /** {@code DIR/results.jsonl} of an experiment run: one result a line, in the order units finished. */
    public static ResultsFile<UnitResult> results(Path dir) {
        return ResultsFile.in(dir, "a result record", CODEC);
    }

    private static final ResultsFile.Codec<UnitResult> CODEC = new ResultsFile.Codec<>() {
        @Override
        public JsonNode toJson(UnitResult record) {
            return record.toJson();
        }

        @Override
        public UnitResult fromJson(JsonNode json) {
            return of(json);
        }
    };

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("point", point).put("arm", arm).put("kind", kind).put("seed", seed).put("phase", phase).put("model", model)
                .put("params", params).put("steps", steps).put("tokens", tokens);
        number(n, "exposures", exposures);
        number(n, "val_loss", valLoss);
        number(n, "bits_per_byte", bitsPerByte);
        number(n, "recall", recall);
        number(n, "qa_accuracy", qaAccuracy);
        number(n, "instruct_qa_accuracy", instructQa);
        number(n, "knowledge_bits", knowledgeBits);
        number(n, "known_kept", knownKept);
        number(n, "tokens_per_s", tokensPerSecond);
        number(n, "flops_per_token", flopsPerToken);
        number(n, "train_flops", trainFlops);
        number(n, "wall_s", wallSeconds);
        return n;
    }

    /** Reads a record; keys that records from before a measure existed lack are NaN (point: none). */
    public static UnitResult of(JsonNode n) {
        return new UnitResult(n.path("point").asText(""), n.path("arm").asText(), n.path("kind").asText(), n.path("seed").asLong(),
                n.path("phase").asText(), n.path("model").asText(), n.path("params").asLong(), n.path("steps").asInt(),
                n.path("tokens").asLong(), number(n, "exposures"), number(n, "val_loss"), number(n, "bits_per_byte"),
                number(n, "recall"), number(n, "qa_accuracy"), number(n, "instruct_qa_accuracy"), number(n, "knowledge_bits"),
                number(n, "known_kept"), number(n, "tokens_per_s"), number(n, "flops_per_token"), number(n, "train_flops"),
                number(n, "wall_s"));
    }

    private static void number(ObjectNode n, String key, double value) {
        if (Double.isNaN(value)) {
            n.putNull(key);
        } else {
            n.put(key, value);
        }
    }

    private static double number(JsonNode n, String key) {
        JsonNode v = n.path(key);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
