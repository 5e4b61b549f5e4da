package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import me.tongfei.progressbar.ProgressBar;
import membank.config.ConfigJson;
import membank.config.ContextConfig;
import membank.config.ModelConfig;
import membank.config.TrainConfig;
import membank.context.SegmentBatch;
import membank.context.SegmentTask;
import membank.data.Tokenizer;
import membank.memory.ContextLatents;
import membank.memory.ContextRead;
import membank.model.Checkpoint;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.nn.Devices;
import membank.nn.Ops;
import membank.util.Progress;

/**
 * Teaches a memory model to read a context bank with the segment task (spec section 7): segment 1
 * is compressed by the context encoder, the LM loss is on segment 2, plus recon_weight times the
 * encoder's reconstruction + beta * KL loss. Starts from a trained memory model and writes a whole
 * model directory with the {@code membank.context} block.
 */
public final class ContextTraining {
    /** How the segment task ran, beside config.json. */
    public static final String TRAINING_FILE = "context_training.json";
    /** Held-out segment pairs are drawn from this seed stream, never used by a training step. */
    private static final long VALIDATION_SEED = -1;

    /** Which weights learn: the context encoder/decoder (and own context K/V), also the memory layers, or all. */
    public enum Scope {
        CONTEXT, MEMORY, ALL;

        public static Scope of(String label) {
            try {
                return valueOf(label.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--train " + label + ": expected context, memory or all");
            }
        }

        boolean trains(String name) {
            return switch (this) {
                case CONTEXT -> isContextTensor(name);
                case MEMORY -> isContextTensor(name) || name.contains(".memory_attn.") || name.contains(".memory_layernorm.")
                        || name.contains(".memory_mlp.") || name.contains(".memory_mlp_layernorm.");
                case ALL -> true;
            };
        }
    }

    /**
     * @param context the context block to add, or null to keep the model's own
     * @param segmentLength most tokens per segment (start token included)
     */
    /**
     * @param distractors other people's segment-1 latents each row's bank also holds (the batch's
     *        next rows), so the model learns to find the right person among several, as in a real bank
     */
    public record Options(ContextConfig context, Scope scope, int steps, int batchSize, int segmentLength, double lr,
                          long seed, int validationPairs, int distractors) {
        public Options {
            if (steps < 1 || batchSize < 1 || segmentLength < 2 || !(lr > 0) || validationPairs < 1) {
                throw new IllegalArgumentException("context training needs steps, batch size, validation pairs >= 1,"
                        + " segment length >= 2 and lr > 0");
            }
            if (distractors < 0 || distractors >= Math.min(batchSize, validationPairs)) {
                throw new IllegalArgumentException("--distractors " + distractors + " must be in [0, batch size - 1]:"
                        + " distractors are the other people of the batch");
            }
        }
    }

    /**
     * Segment-2 loss on held-out pairs with segment 1 in the bank and with an empty bank, before and
     * after training: the gap is what reading the context is worth.
     */
    public record Result(double lossWithContextBefore, double lossWithoutContextBefore, double lossWithContext,
                         double lossWithoutContext, double reconstruction, double tokensPerSecond, int latentsPerSegment) {
    }

    private ContextTraining() {
    }

    /** Names of the context bank's own tensors: encoder, decoder, and own context K/V projections. */
    public static boolean isContextTensor(String name) {
        return name.startsWith("model.context_") || name.contains(".context_k_proj.") || name.contains(".context_v_proj.");
    }

    /** The model of {@code dir} with a context encoder: its own, or a fresh one configured by {@code context}. */
    public static MemoryLM load(Path dir, ContextConfig context) {
        ModelConfig stored = ConfigJson.readModel(Checkpoint.configFile(dir));
        if (!stored.hasMemory()) {
            throw new IllegalArgumentException("--model " + dir + " has no memory layers, and the context bank is read by"
                    + " memory layers: train one with memory first (e.g. membank train --preset small)");
        }
        ModelConfig config = context == null || stored.membank().context() != null && context.equals(stored.membank().context())
                ? stored : stored.withMembank(stored.membank().withContext(context));
        if (config.membank().context() == null) {
            throw new IllegalArgumentException("--model " + dir + " has no context encoder yet: pass the context settings"
                    + " (e.g. --ratio 16) to add one");
        }
        MemoryLM model = new MemoryLM(config);
        // a new or changed context block may add tensors the checkpoint lacks; those present load as stored
        Predicate<String> added = config.equals(stored) ? name -> false : ContextTraining::isContextTensor;
        Checkpoint.loadWeights(model, dir, added);
        return model;
    }

    public static Result run(Path modelDir, Path out, Options o, boolean progress, Consumer<String> log) {
        return run(modelDir, out, o, progress, log, Devices.cpu());
    }

    /** {@link #run(Path, Path, Options, boolean, Consumer)} with the model and optimizer state on {@code device}. */
    public static Result run(Path modelDir, Path out, Options o, boolean progress, Consumer<String> log, Device device) {
        manual_seed(o.seed());
        MemoryLM model = load(modelDir, o.context());
        // before the optimizer: its state is made on the parameters' device
        model.to(device, false);
        Tokenizer tokenizer = Tokenizer.load(modelDir.resolve("tokenizer.json"));
        long start = tokenizer.eosId().orElse(0);
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            boolean learns = o.scope().trains(name);
            p.requires_grad_(learns);
            if (learns) {
                trainable.put(name, p);
            }
        });
        TrainConfig t = trainConfig(o);
        GroupedAdamW optimizer = GroupedAdamW.of(model, trainable, t);
        LrSchedule schedule = LrSchedule.of(t);
        SegmentBatch validation = SegmentBatch.of(SegmentTask.pairs(o.validationPairs(), VALIDATION_SEED), tokenizer,
                o.segmentLength(), start);
        double[] before = validate(model, validation, o.distractors());
        log.accept(String.format(Locale.ROOT, "before: segment-2 loss %.4f with the context bank, %.4f without",
                before[0], before[1]));
        double reconstruction = Double.NaN;
        long tokens = 0;
        long began = System.nanoTime();
        double contextWeight = model.config().membank().context().reconWeight();
        try (MetricsLog metrics = new MetricsLog(out.resolve("metrics.jsonl"), false);
             ProgressBar bar = Progress.bar("context training", o.steps(), progress)) {
            for (int step = 0; step < o.steps(); step++) {
                model.train(true);
                try (membank.nn.Scope tensors = membank.nn.Scope.tensors()) {
                    SegmentBatch batch = SegmentBatch.of(SegmentTask.pairs(o.batchSize(), SegmentTask.stepSeed(o.seed(), step)),
                            tokenizer, o.segmentLength(), start);
                    optimizer.zeroGrad();
                    ContextLatents latents = model.compress(Ops.longs(batch.first()), Ops.longs(batch.firstValid()));
                    Tensor z = latents.sample();
                    Tensor logits = model.forward(Ops.longs(batch.inputs()), ForwardPass.PLAIN.withValid(Ops.longs(batch.valid()))
                            .withContext(new ContextRead(withDistractors(z, o.distractors()),
                                    withDistractors(latents.valid(), o.distractors()), null)));
                    Tensor lm = MemoryLM.crossEntropy(logits, Ops.longs(batch.targets()));
                    Tensor encoder = model.contextLoss(latents, z);
                    lm.add(encoder.mul(Ops.scalar(contextWeight))).backward();
                    double gradNorm = optimizer.clipGradNorm(t.gradClip());
                    optimizer.setLrFactor(schedule.factor(step));
                    optimizer.step();
                    reconstruction = encoder.item_double();
                    tokens += countValid(batch.valid()) + countValid(batch.firstValid());
                    metrics.write(Map.of("step", step, "lm_loss", lm.item_double(), "context_loss", reconstruction,
                            "grad_norm", gradNorm, "lr_factor", schedule.factor(step)));
                }
                bar.step();
            }
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        double[] after = validate(model, validation, o.distractors());
        log.accept(String.format(Locale.ROOT, "after %d steps: segment-2 loss %.4f with the context bank, %.4f without",
                o.steps(), after[0], after[1]));
        write(model, modelDir, out, o);
        int latents = model.config().membank().context().latents(o.segmentLength());
        return new Result(before[0], before[1], after[0], after[1], reconstruction, tokens / seconds, latents);
    }

    private static TrainConfig trainConfig(Options o) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("steps", o.steps());
        node.put("batch_size", o.batchSize());
        node.put("seq_len", o.segmentLength());
        node.put("lr", o.lr());
        node.put("warmup_steps", Math.max(1, Math.min(20, o.steps() / 10)));
        node.put("seed", o.seed());
        return ConfigJson.parseTraining(node);
    }

    /** {segment-2 loss reading segment 1's latent means, loss with nothing to read}. */
    static double[] validate(MemoryLM model, SegmentBatch batch, int distractors) {
        model.train(false);
        try (membank.nn.Scope tensors = membank.nn.Scope.inference()) {
            ContextLatents latents = model.compress(Ops.longs(batch.first()), Ops.longs(batch.firstValid()));
            Tensor inputs = Ops.longs(batch.inputs());
            Tensor valid = Ops.longs(batch.valid());
            Tensor targets = Ops.longs(batch.targets());
            double with = MemoryLM.crossEntropy(model.forward(inputs, ForwardPass.PLAIN.withValid(valid)
                    .withContext(new ContextRead(withDistractors(latents.mean(), distractors),
                            withDistractors(latents.valid(), distractors), null))), targets).item_double();
            double without = MemoryLM.crossEntropy(model.forward(inputs, ForwardPass.PLAIN.withValid(valid)), targets).item_double();
            return new double[] {with, without};
        }
    }

    /**
     * Row i's bank: its own latents then those of rows i+1 .. i+distractors (mod B), concatenated
     * along the latent axis: [B, L_c, ...] -> [B, (1 + distractors) L_c, ...].
     */
    static Tensor withDistractors(Tensor perRow, int distractors) {
        if (distractors == 0) {
            return perRow;
        }
        long rows = perRow.size(0);
        long[] order = new long[(int) (rows * (distractors + 1))];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j <= distractors; j++) {
                order[i * (distractors + 1) + j] = (i + j) % rows;
            }
        }
        long[] shape = Ops.shape(perRow);
        shape[1] *= distractors + 1;
        shape[0] = rows;
        return perRow.index_select(0, Ops.longs(order, perRow)).reshape(shape);
    }

    private static long countValid(long[][] valid) {
        long n = 0;
        for (long[] row : valid) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /**
     * The model (its config.json keeps the source's training block, so its seq_len stays the
     * attention window commands assume), the tokenizer, and how the segment task ran, in
     * {@value #TRAINING_FILE}.
     */
    private static void write(MemoryLM model, Path from, Path out, Options o) {
        ObjectNode config = ConfigJson.toJson(model.config());
        JsonNode source = ConfigJson.read(Checkpoint.configFile(from)).get("training");
        if (source != null) {
            config.set("training", source);
        }
        Checkpoint.save(model, out, config);
        ObjectNode training = JsonNodeFactory.instance.objectNode();
        training.put("task", "segments");
        training.put("steps", o.steps());
        training.put("batch_size", o.batchSize());
        training.put("segment_length", o.segmentLength());
        training.put("lr", o.lr());
        training.put("seed", o.seed());
        training.put("distractors", o.distractors());
        training.put("train", o.scope().name().toLowerCase(Locale.ROOT));
        training.put("from", from.toAbsolutePath().toString());
        ConfigJson.write(out.resolve(TRAINING_FILE), training);
        try {
            Files.copy(from.resolve("tokenizer.json"), out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the tokenizer into " + out, e);
        }
    }
}
