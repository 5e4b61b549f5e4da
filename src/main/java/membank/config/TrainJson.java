package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The optional {@code "training"} block: optimiser, schedule, precision, checkpoints, data. */
final class TrainJson {
    static final String PATH = "training";
    static final List<String> KEYS = List.of("steps", "batch_size", "seq_len", "grad_accum", "lr", "bank_lr",
            "memory_lr", "weight_decay", "bank_weight_decay", "bank_update",
            "beta1", "beta2", "eps", "warmup_steps", "schedule",
            "min_lr_ratio", "decay_fraction", "grad_clip", "precision", "seed", "save_every", "eval_every",
            "eval_batches", "log_every", "max_nonfinite", "data");
    static final List<String> SCHEDULES = List.of(TrainConfig.COSINE, TrainConfig.WSD, TrainConfig.CONSTANT);
    static final List<String> BANK_UPDATES = List.of(TrainConfig.DENSE, TrainConfig.ROWS_READ);
    static final List<String> PRECISIONS = List.of("auto", "fp32", "bf16");

    private TrainJson() {
    }

    /** Null, JSON null or an empty object give every default. */
    static TrainConfig parse(JsonNode node) {
        JsonBlock block = JsonBlock.of(node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node, PATH);
        block.rejectUnknown(KEYS);
        int steps = positive(block, "steps", 1000);
        return new TrainConfig(
                steps,
                positive(block, "batch_size", 8),
                positive(block, "seq_len", 256),
                positive(block, "grad_accum", 1),
                Require.positive(block.key("lr"), block.doubleValue("lr", 1e-3)),
                Require.positiveOrNull(block.key("bank_lr"), block.optionalDouble("bank_lr")),
                Require.positiveOrNull(block.key("memory_lr"), block.optionalDouble("memory_lr")),
                nonNegative(block, "weight_decay", 0.1),
                nonNegative(block, "bank_weight_decay", 0.0),
                block.choice("bank_update", TrainConfig.DENSE, BANK_UPDATES),
                beta(block, "beta1", 0.9),
                beta(block, "beta2", 0.95),
                Require.positive(block.key("eps"), block.doubleValue("eps", 1e-8)),
                Require.inRange(block.key("warmup_steps"), block.intValue("warmup_steps", Math.min(100, steps)), 0, Integer.MAX_VALUE),
                block.choice("schedule", TrainConfig.COSINE, SCHEDULES),
                Require.inRange(block.key("min_lr_ratio"), block.doubleValue("min_lr_ratio", 0.1), 0, 1, false),
                decayFraction(block),
                nonNegative(block, "grad_clip", 1.0),
                block.choice("precision", "auto", PRECISIONS),
                block.longValue("seed", 0),
                atLeastZero(block, "save_every", 0),
                atLeastZero(block, "eval_every", 0),
                positive(block, "eval_batches", 8),
                positive(block, "log_every", 10),
                atLeastZero(block, "max_nonfinite", 5),
                DataJson.parse(block.child("data")));
    }

    static ObjectNode write(TrainConfig t) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("steps", t.steps());
        node.put("batch_size", t.batchSize());
        node.put("seq_len", t.seqLen());
        node.put("grad_accum", t.gradAccum());
        node.put("lr", t.lr());
        node.put("bank_lr", t.bankLr());
        node.put("memory_lr", t.memoryLr());
        node.put("weight_decay", t.weightDecay());
        node.put("bank_weight_decay", t.bankWeightDecay());
        node.put("bank_update", t.bankUpdate());
        node.put("beta1", t.beta1());
        node.put("beta2", t.beta2());
        node.put("eps", t.eps());
        node.put("warmup_steps", t.warmupSteps());
        node.put("schedule", t.schedule());
        node.put("min_lr_ratio", t.minLrRatio());
        node.put("decay_fraction", t.decayFraction());
        node.put("grad_clip", t.gradClip());
        node.put("precision", t.precision());
        node.put("seed", t.seed());
        node.put("save_every", t.saveEvery());
        node.put("eval_every", t.evalEvery());
        node.put("eval_batches", t.evalBatches());
        node.put("log_every", t.logEvery());
        node.put("max_nonfinite", t.maxNonFinite());
        node.set("data", DataJson.write(t.data()));
        return node;
    }

    private static int positive(JsonBlock block, String name, int fallback) {
        return Require.positive(block.key(name), block.intValue(name, fallback));
    }

    private static int atLeastZero(JsonBlock block, String name, int fallback) {
        return Require.atLeast(block.key(name), block.intValue(name, fallback), 0);
    }

    private static double nonNegative(JsonBlock block, String name, double fallback) {
        return Require.nonNegative(block.key(name), block.doubleValue(name, fallback));
    }

    /** AdamW's betas must stay below 1, or the bias correction divides by zero. */
    private static double beta(JsonBlock block, String name, double fallback) {
        return Require.inRange(block.key(name), block.doubleValue(name, fallback), 0, 1, true);
    }

    /** The share of steps spent decaying at the end of a warmup-stable-decay schedule. */
    private static double decayFraction(JsonBlock block) {
        double fraction = block.doubleValue("decay_fraction", 0.2);
        if (!(fraction > 0 && fraction <= 1)) {
            throw new ConfigException(block.key("decay_fraction"), fraction, "must be in (0, 1]");
        }
        return fraction;
    }
}
