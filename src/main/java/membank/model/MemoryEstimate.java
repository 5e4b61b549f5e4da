package membank.model;

import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.ParameterCount;
import membank.config.TrainConfig;

/**
 * The memory a training run needs, estimated from its configuration before anything is allocated:
 * every parameter in float32 (bf16 autocast keeps float32 masters), a float32 gradient and AdamW's
 * two float32 moments for each trainable one, the tensors of a base checkpoint while it is loaded,
 * and the activations one micro-batch keeps for the backward pass.
 *
 * <p>The activations are a rough upper estimate (docs/cli.md): per token and layer the inputs and
 * outputs of the norms, projections and MLP and the memory scores and probabilities of the bank
 * tokens each position reads, plus per memory layer the keys and values of the bank rows
 * a forward pass projects, plus the logits. Parameters, gradients and moments are exact.
 *
 * @param parameters every parameter of the model being trained
 * @param trainable those that get gradients and AdamW moments
 * @param bank parameters of the memory banks (part of {@code parameters}), to tell what dominates
 * @param loadingBytes a base checkpoint's tensors held while they are copied into the model (0 from scratch)
 */
public record MemoryEstimate(long parameters, long trainable, long bank, long loadingBytes, long activationBytes,
                             int batch, int seqLen) {
    static final int FLOAT = 4;

    /** A model trained from scratch: everything trains. */
    public static MemoryEstimate training(ModelConfig m, int batch, int seqLen) {
        long parameters = ParameterCount.total(m);
        return new MemoryEstimate(parameters, parameters, bankParameters(m), 0, activationBytes(m, batch, seqLen), batch, seqLen);
    }

    /** {@link #training(ModelConfig, int, int)} at the run's micro-batch. */
    public static MemoryEstimate training(ModelConfig m, TrainConfig t) {
        return training(m, t.batchSize(), t.seqLen());
    }

    /**
     * A base being adapted: {@code m} is the base with the adapter's memory block (if any); {@code extra}
     * parameters are added beside it (LoRA's), {@code trainable} of all of them train, and the base's
     * checkpoint files hold {@code baseFileBytes}.
     */
    public static MemoryEstimate adapting(ModelConfig m, TrainConfig t, long extra, long trainable, long baseFileBytes) {
        return new MemoryEstimate(ParameterCount.total(m) + extra, trainable, bankParameters(m), baseFileBytes,
                activationBytes(m, t.batchSize(), t.seqLen()), t.batchSize(), t.seqLen());
    }

    public long parameterBytes() {
        return parameters * FLOAT;
    }

    public long gradientBytes() {
        return trainable * FLOAT;
    }

    public long optimizerBytes() {
        return 2 * trainable * FLOAT;
    }

    public long total() {
        return parameterBytes() + gradientBytes() + optimizerBytes() + loadingBytes + activationBytes;
    }

    /** Whether the banks hold most of the parameters, so that the bank is what to shrink. */
    public boolean bankDominates() {
        return bank * 2 > parameters;
    }

    /** Whether the activations are most of the total, so that the batch is what to shrink. */
    public boolean activationsDominate() {
        return activationBytes * 2 > total();
    }

    private static long bankParameters(ModelConfig m) {
        return m.hasMemory() ? m.membank().numBanks() * ParameterCount.bank(m) : 0;
    }

    /** Bytes of activations a micro-batch of {@code batch} x {@code seqLen} tokens keeps for backward. */
    static long activationBytes(ModelConfig m, int batch, int seqLen) {
        double tokens = (double) batch * seqLen;
        double perToken = m.hiddenSize() + m.numHiddenLayers() * layerValues(m) + 3.0 * m.vocabSize();
        double perPass = 0;
        if (m.hasMemory()) {
            MemoryConfig mem = m.membank();
            perToken += mem.layers().size() * memoryLayerValues(m, mem);
            perPass += mem.layers().size() * bankValues(m, mem, batch, seqLen);
        }
        return (long) Math.min(Long.MAX_VALUE, FLOAT * (tokens * perToken + perPass));
    }

    /**
     * Values one position keeps in a decoder layer: norms, q/k/v/o and SwiGLU. Self-attention runs
     * through fused scaled-dot-product attention, which keeps no probabilities.
     */
    private static double layerValues(ModelConfig m) {
        double d = m.hiddenSize();
        double q = (double) m.numAttentionHeads() * m.headDim();
        double kv = (double) m.numKeyValueHeads() * m.headDim();
        return 3 * d + 2 * q + 2 * kv + 3 * d + 4.0 * m.intermediateSize();
    }

    /**
     * Values one position keeps in a memory sublayer: norm, q, output, and per head the scores and
     * probabilities of every bank token it reads (memory attention materialises both).
     */
    private static double memoryLayerValues(ModelConfig m, MemoryConfig mem) {
        double d = m.hiddenSize();
        double q = (double) mem.numHeads() * mem.headDim();
        double values = 3 * d + 2 * q + 2.0 * mem.numHeads() * FlopCounter.tokensRead(mem);
        return mem.isVariantB() ? values + 3 * d + 4.0 * m.intermediateSize() : values;
    }

    /** Values a memory layer keeps per forward pass: the projected bank rows and their keys and values. */
    private static double bankValues(ModelConfig m, MemoryConfig mem, int batch, int seqLen) {
        double rows = FlopCounter.tokensProjected(mem, batch, seqLen);
        return rows * (mem.bank().rowWidth(m.hiddenSize()) + 2.0 * mem.numKvHeads() * mem.headDim());
    }
}
