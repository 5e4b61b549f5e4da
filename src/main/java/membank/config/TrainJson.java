package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;


/** The optional {@code "training"} block, bound to {@link TrainConfig.Builder}, and its writer. */
final class TrainJson {
    private TrainJson() {
    }

    /** Null, JSON null or an empty object give every default. */
    static TrainConfig parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return TrainConfig.defaults();
        }
        return Bind.read(node, TrainConfig.Builder.class, TrainConfig.PATH).build();
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
        node.put("bank_update", t.bankUpdate().toString());
        node.put("beta1", t.beta1());
        node.put("beta2", t.beta2());
        node.put("eps", t.eps());
        node.put("warmup_steps", t.warmupSteps());
        node.put("schedule", t.schedule().toString());
        node.put("min_lr_ratio", t.minLrRatio());
        node.put("decay_fraction", t.decayFraction());
        node.put("grad_clip", t.gradClip());
        node.put("precision", t.precision().toString());
        node.put("seed", t.seed());
        node.put("save_every", t.saveEvery());
        node.put("eval_every", t.evalEvery());
        node.put("eval_batches", t.evalBatches());
        node.put("log_every", t.logEvery());
        node.put("max_nonfinite", t.maxNonFinite());
        node.set("data", write(t.data()));
        return node;
    }

    static ObjectNode write(DataConfig data) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", data.kind().toString());
        node.put("path", data.path());
        node.put("entities", data.entities());
        node.put("knowledge_seed", data.knowledgeSeed());
        node.put("val_fraction", data.valFraction());
        node.put("tokenizer", data.tokenizer());
        node.put("utf8_errors", data.utf8Errors().toString());
        if (data.split() != null) {
            SplitConfig split = data.split();
            ObjectNode out = node.putObject("split");
            out.put("by", split.by().toString());
            if (split.byTokens()) {
                out.put("fraction", split.fraction());
            } else {
                out.put("every", split.every());
            }
        }
        return node;
    }
}
