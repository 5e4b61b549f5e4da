package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import membank.nn.Precision;

import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The optional {@code "training"} block of a config file; its keys and their defaults are those of
 * {@link Builder}. Learning rates of the bank and the memory layers fall back to {@code lr} when null.
 */
public record TrainConfig(
        int steps,
        int batchSize,
        int seqLen,
        int gradAccum,
        double lr,
        Double bankLr,
        Double memoryLr,
        double weightDecay,
        double bankWeightDecay,
        BankUpdate bankUpdate,
        double beta1,
        double beta2,
        double eps,
        int warmupSteps,
        Schedule schedule,
        double minLrRatio,
        double decayFraction,
        double gradClip,
        PrecisionChoice precision,
        long seed,
        int saveEvery,
        int evalEvery,
        int evalBatches,
        int logEvery,
        int maxNonFinite,
        DataConfig data) {

    static final String PATH = "training";

    /** The learning-rate schedule after warmup. */
    public enum Schedule {
        /** Cosine decay to {@code min_lr_ratio}. */
        COSINE,
        /** Warmup, stable, then linear decay over the last {@code decay_fraction} of steps. */
        WSD,
        CONSTANT;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code precision}: the compute precision asked for, spelt as the CLI's --precision. */
    public enum PrecisionChoice {
        /** bf16 when the CPU has native bf16 instructions, else fp32. */
        AUTO,
        FP32,
        /** Autocast to bfloat16 with float32 master weights and optimizer state. */
        BF16;

        /** The precision to compute in on this machine. */
        public Precision resolve() {
            return Precision.resolve(toString());
        }

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code bank_update}: which bank rows an optimizer step moves. */
    public enum BankUpdate {
        /** libtorch's AdamW moves every bank row each step (the default). */
        DENSE,
        /** Only the rows read in a step move (lazy AdamW, see RowSparseAdamW). */
        ROWS_READ;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TrainConfig {
        Require.positive(key("steps"), steps);
        Require.positive(key("batch_size"), batchSize);
        Require.positive(key("seq_len"), seqLen);
        Require.positive(key("grad_accum"), gradAccum);
        Require.positive(key("lr"), lr);
        Require.positiveOrNull(key("bank_lr"), bankLr);
        Require.positiveOrNull(key("memory_lr"), memoryLr);
        Require.nonNegative(key("weight_decay"), weightDecay);
        Require.nonNegative(key("bank_weight_decay"), bankWeightDecay);
        Objects.requireNonNull(bankUpdate, "bank_update");
        // AdamW's betas must stay below 1, or the bias correction divides by zero.
        Require.inRange(key("beta1"), beta1, 0, 1, true);
        Require.inRange(key("beta2"), beta2, 0, 1, true);
        Require.positive(key("eps"), eps);
        Require.inRange(key("warmup_steps"), warmupSteps, 0, Integer.MAX_VALUE);
        Objects.requireNonNull(schedule, "schedule");
        Require.inRange(key("min_lr_ratio"), minLrRatio, 0, 1, false);
        if (!(decayFraction > 0 && decayFraction <= 1)) {
            throw new ConfigException(key("decay_fraction"), decayFraction, "must be in (0, 1]");
        }
        Require.nonNegative(key("grad_clip"), gradClip);
        Objects.requireNonNull(precision, "precision");
        Require.atLeast(key("save_every"), saveEvery, 0);
        Require.atLeast(key("eval_every"), evalEvery, 0);
        Require.positive(key("eval_batches"), evalBatches);
        Require.positive(key("log_every"), logEvery);
        Require.atLeast(key("max_nonfinite"), maxNonFinite, 0);
        Objects.requireNonNull(data, "data");
    }

    private static String key(String name) {
        return PATH + "." + name;
    }

    /** Every key at its default (the knowledge set, byte tokenizer, 1000 cosine steps at lr 1e-3). */
    public static TrainConfig defaults() {
        return new Builder().build();
    }

    /** The same training with another data block (e.g. once the run has chosen its split). */
    public TrainConfig withData(DataConfig other) {
        return with(b -> b.data(other));
    }

    /** The same training with the changes {@code edit} makes, e.g. {@code t.with(b -> b.steps(5).lr(3e-3))}. */
    public TrainConfig with(UnaryOperator<Builder> edit) {
        return edit.apply(toBuilder()).build();
    }

    /** Every key written out, so that {@link Builder#build} gives this config back. */
    public Builder toBuilder() {
        return new Builder().steps(steps).batchSize(batchSize).seqLen(seqLen).gradAccum(gradAccum).lr(lr).bankLr(bankLr)
                .memoryLr(memoryLr).weightDecay(weightDecay).bankWeightDecay(bankWeightDecay).bankUpdate(bankUpdate)
                .beta1(beta1).beta2(beta2).eps(eps).warmupSteps(warmupSteps).schedule(schedule).minLrRatio(minLrRatio)
                .decayFraction(decayFraction).gradClip(gradClip).precision(precision).seed(seed).saveEvery(saveEvery)
                .evalEvery(evalEvery).evalBatches(evalBatches).logEvery(logEvery).maxNonFinite(maxNonFinite).data(data);
    }

    public double effectiveBankLr() {
        return bankLr != null ? bankLr : lr;
    }

    /** Whether the bank takes the row-sparse update ({@code bank_update: "rows_read"}). */
    public boolean rowSparseBank() {
        return bankUpdate == BankUpdate.ROWS_READ;
    }

    public double effectiveMemoryLr() {
        return memoryLr != null ? memoryLr : lr;
    }

    /** The block's keys with their defaults. */
    public static final class Builder {
        @JsonProperty("steps")
        private int steps = 1000;
        @JsonProperty("batch_size")
        private int batchSize = 8;
        @JsonProperty("seq_len")
        private int seqLen = 256;
        @JsonProperty("grad_accum")
        private int gradAccum = 1;
        @JsonProperty("lr")
        private double lr = 1e-3;
        /** Null: {@code lr}. */
        @JsonProperty("bank_lr")
        private Double bankLr;
        /** Null: {@code lr}. */
        @JsonProperty("memory_lr")
        private Double memoryLr;
        @JsonProperty("weight_decay")
        private double weightDecay = 0.1;
        @JsonProperty("bank_weight_decay")
        private double bankWeightDecay = 0.0;
        @JsonProperty("bank_update")
        private BankUpdate bankUpdate = BankUpdate.DENSE;
        @JsonProperty("beta1")
        private double beta1 = 0.9;
        @JsonProperty("beta2")
        private double beta2 = 0.95;
        @JsonProperty("eps")
        private double eps = 1e-8;
        /** Null: 100, or {@code steps} when that is smaller. */
        @JsonProperty("warmup_steps")
        private Integer warmupSteps;
        @JsonProperty("schedule")
        private Schedule schedule = Schedule.COSINE;
        @JsonProperty("min_lr_ratio")
        private double minLrRatio = 0.1;
        @JsonProperty("decay_fraction")
        private double decayFraction = 0.2;
        @JsonProperty("grad_clip")
        private double gradClip = 1.0;
        @JsonProperty("precision")
        private PrecisionChoice precision = PrecisionChoice.AUTO;
        @JsonProperty("seed")
        private long seed = 0;
        @JsonProperty("save_every")
        private int saveEvery = 0;
        @JsonProperty("eval_every")
        private int evalEvery = 0;
        @JsonProperty("eval_batches")
        private int evalBatches = 8;
        @JsonProperty("log_every")
        private int logEvery = 10;
        @JsonProperty("max_nonfinite")
        private int maxNonFinite = 5;
        @JsonProperty("data")
        private DataConfig.Builder data = new DataConfig.Builder();

        public Builder steps(int value) {
            steps = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder seqLen(int value) {
            seqLen = value;
            return this;
        }

        public Builder gradAccum(int value) {
            gradAccum = value;
            return this;
        }

        public Builder lr(double value) {
            lr = value;
            return this;
        }

        public Builder bankLr(Double value) {
            bankLr = value;
            return this;
        }

        public Builder memoryLr(Double value) {
            memoryLr = value;
            return this;
        }

        public Builder weightDecay(double value) {
            weightDecay = value;
            return this;
        }

        public Builder bankWeightDecay(double value) {
            bankWeightDecay = value;
            return this;
        }

        public Builder bankUpdate(BankUpdate value) {
            bankUpdate = value;
            return this;
        }

        public Builder beta1(double value) {
            beta1 = value;
            return this;
        }

        public Builder beta2(double value) {
            beta2 = value;
            return this;
        }

        public Builder eps(double value) {
            eps = value;
            return this;
        }

        public Builder warmupSteps(int value) {
            warmupSteps = value;
            return this;
        }

        public Builder schedule(Schedule value) {
            schedule = value;
            return this;
        }

        public Builder minLrRatio(double value) {
            minLrRatio = value;
            return this;
        }

        public Builder decayFraction(double value) {
            decayFraction = value;
            return this;
        }

        public Builder gradClip(double value) {
            gradClip = value;
            return this;
        }

        public Builder precision(PrecisionChoice value) {
            precision = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder saveEvery(int value) {
            saveEvery = value;
            return this;
        }

        public Builder evalEvery(int value) {
            evalEvery = value;
            return this;
        }

        public Builder evalBatches(int value) {
            evalBatches = value;
            return this;
        }

        public Builder logEvery(int value) {
            logEvery = value;
            return this;
        }

        public Builder maxNonFinite(int value) {
            maxNonFinite = value;
            return this;
        }

        public Builder data(DataConfig value) {
            data = value.toBuilder();
            return this;
        }

        public TrainConfig build() {
            int warmup = warmupSteps != null ? warmupSteps : Math.min(100, steps);
            return new TrainConfig(steps, batchSize, seqLen, gradAccum, lr, bankLr, memoryLr, weightDecay,
                    bankWeightDecay, bankUpdate, beta1, beta2, eps, warmup, schedule, minLrRatio, decayFraction, gradClip,
                    precision, seed, saveEvery, evalEvery, evalBatches, logEvery, maxNonFinite, data.build());
        }
    }
}
