package membank.model;

import java.util.ArrayList;
import java.util.List;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.ParameterCount;
import membank.config.RoutingMode;

/**
 * Analytical matmul FLOPs per token, per component (docs/flops.md). A multiply-add counts 2; a
 * matmul's backward is one matmul per operand that needs a gradient (its input, to pass the
 * gradient down, and its weight, unless frozen), so a fully trained matmul costs 2x its forward
 * backward and a frozen one 1x. Norms, softmax, RoPE and other element-wise work are not counted,
 * nor is the embedding lookup. Causal self-attention attends to {@code seqLen / 2} keys on average.
 */
public final class FlopCounter {
    public static final String EMBEDDING = "embedding";
    public static final String ATTENTION_PROJECTIONS = "self-attention q/k/v/o";
    public static final String ATTENTION_SCORES = "self-attention scores+values";
    public static final String MLP = "mlp (SwiGLU)";
    public static final String MEMORY_PROJECTIONS = "memory q/o";
    public static final String MEMORY_READ = "memory scores+values";
    public static final String MEMORY_KV = "memory k/v of the bank";
    public static final String ROUTER = "router";
    public static final String MEMORY_MLP = "memory mlp (variant B)";
    public static final String LM_HEAD = "lm head";

    private final ModelConfig c;
    private final long seqLen;
    private final long batch;
    private final FrozenParts frozen;
    /** Whether gradients flow back through the network (some parameter trains). */
    private final boolean flows;

    private FlopCounter(ModelConfig c, long seqLen, long batch, FrozenParts frozen) {
        this.c = c;
        this.seqLen = seqLen;
        this.batch = batch;
        this.frozen = frozen;
        this.flows = frozen.anyTrainable();
    }

    /** FLOPs per token when everything trains. */
    public static FlopBreakdown count(ModelConfig c, long seqLen, long batch) {
        return count(c, seqLen, batch, FrozenParts.NONE);
    }

    /**
     * @param seqLen tokens per sequence
     * @param batch sequences per forward pass (a micro-batch): the bank's keys and values are
     *              projected once per forward pass and layer, so their cost per token falls with it
     */
    public static FlopBreakdown count(ModelConfig c, long seqLen, long batch, FrozenParts frozen) {
        if (seqLen < 1 || batch < 1) {
            throw new IllegalArgumentException("FLOP count needs seq_len >= 1 and batch >= 1, got seq_len " + seqLen
                    + " and batch " + batch);
        }
        return new FlopCounter(c, seqLen, batch, frozen).breakdown();
    }

    private FlopBreakdown breakdown() {
        long d = c.hiddenSize();
        int layers = c.numHiddenLayers();
        List<FlopBreakdown.Row> rows = new ArrayList<>();
        // a lookup: no matmul forward, and its gradient is a scatter-add
        rows.add(new FlopBreakdown.Row(EMBEDDING, 1, 0, 0));
        long attention = d * c.headDim() * (2L * c.numAttentionHeads() + 2L * c.numKeyValueHeads());
        rows.add(matmul(ATTENTION_PROJECTIONS, layers, attention, !frozen.backbone()));
        rows.add(matmul(ATTENTION_SCORES, layers, 2 * (seqLen / 2.0) * c.numAttentionHeads() * c.headDim(), flows));
        rows.add(matmul(MLP, layers, 3.0 * d * c.intermediateSize(), !frozen.backbone()));
        if (c.hasMemory()) {
            addMemory(rows, c.membank());
        }
        rows.add(matmul(LM_HEAD, 1, (double) d * c.vocabSize(), !frozen.backbone()));
        return new FlopBreakdown(seqLen, batch, rows);
    }

    private void addMemory(List<FlopBreakdown.Row> rows, MemoryConfig m) {
        long d = c.hiddenSize();
        int layers = m.layers().size();
        long q = (long) m.numHeads() * m.headDim();
        double queryAndOutput = ParameterCount.projection(d, q, m.projectionRank())
                + ParameterCount.projection(q, d, m.projectionRank());
        rows.add(matmul(MEMORY_PROJECTIONS, layers, queryAndOutput, !frozen.memoryLayers()));
        rows.add(memoryRead(m, layers));
        rows.add(bankKeysAndValues(m, layers));
        if (m.chapters() != null) {
            double perStep = decisions(m.chapters()) * d * (m.chapters().count() - m.chapters().shared());
            rows.add(matmul(ROUTER, layers, perStep / tokens(), !frozen.memoryLayers()));
        }
        if (m.isVariantB()) {
            rows.add(matmul(MEMORY_MLP, layers, 3.0 * d * c.intermediateSize(), !frozen.memoryLayers()));
        }
    }

    /**
     * Q·Kᵀ and P·V over the memory tokens a position reads. Backward: gradients of the queries
     * and probabilities always, of K and V only when the bank or the k/v projections train.
     */
    private FlopBreakdown.Row memoryRead(MemoryConfig m, int layers) {
        double macs = 2 * tokensRead(m) * m.numHeads() * m.headDim();
        boolean keysNeedGradient = !frozen.bank() || !frozen.memoryKeyValue();
        return row(MEMORY_READ, layers, macs, flows, flows && keysNeedGradient);
    }

    /**
     * K and V of the bank rows a layer projects, once per forward pass, shared by its tokens. Rows
     * have the bank's row width: d, or r for reduced and factorized banks (keys of A·Bᵀ are
     * A·(Wk·B)ᵀ; the small per-step product Wk·B, and W_up·W_down of low-rank projections, are not
     * counted). Backward: the rows' gradient when the bank trains, the weights' when the k/v
     * projections (or a factorized bank's B inside Wk·B) train.
     */
    private FlopBreakdown.Row bankKeysAndValues(MemoryConfig m, int layers) {
        double rowWidth = m.bank().rowWidth(c.hiddenSize());
        double perStep = tokensProjected(m) * rowWidth * 2.0 * m.numKvHeads() * m.headDim();
        boolean weights = !frozen.memoryKeyValue() || (m.bank().isFactorized() && !frozen.bank());
        return row(MEMORY_KV, layers, perStep / tokens(), !frozen.bank(), weights);
    }

    /** Memory tokens each position attends to: the bank, or its shared plus k routed chapters. */
    static double tokensRead(MemoryConfig m) {
        ChapterConfig ch = m.chapters();
        return ch == null ? m.numTokens() : (double) (ch.shared() + ch.topK()) * (m.numTokens() / ch.count());
    }

    /**
     * Bank rows a layer projects per forward pass: the whole bank without chapters; with them the
     * shared chapters plus every routed chapter the batch can touch (at most k per routing
     * decision, at most all of them), an upper bound since routers may repeat choices.
     */
    private double tokensProjected(MemoryConfig m) {
        return tokensProjected(m, batch, seqLen);
    }

    /** {@link #tokensProjected(MemoryConfig)} for a forward pass of {@code batch} sequences of {@code seqLen} tokens. */
    static double tokensProjected(MemoryConfig m, long batch, long seqLen) {
        ChapterConfig ch = m.chapters();
        if (ch == null) {
            return m.numTokens();
        }
        double touched = Math.min(ch.count() - ch.shared(), decisions(ch, batch, seqLen) * ch.topK());
        return (ch.shared() + touched) * (m.numTokens() / ch.count());
    }

    private double decisions(ChapterConfig ch) {
        return decisions(ch, batch, seqLen);
    }

    /** Router decisions per forward pass: one per sequence with sequence routing, else one per position. */
    private static double decisions(ChapterConfig ch, long batch, long seqLen) {
        return ch.routing() == RoutingMode.SEQUENCE ? batch : batch * (double) seqLen;
    }

    private double tokens() {
        return batch * (double) seqLen;
    }

    /** A matmul of activations by a weight: the input's gradient whenever gradients flow. */
    private FlopBreakdown.Row matmul(String name, int count, double macsPerInstance, boolean weightTrains) {
        return row(name, count, macsPerInstance, flows, flows && weightTrains);
    }

    /** Two gradient matmuls at most, one per operand that needs a gradient. */
    private static FlopBreakdown.Row row(String name, int count, double macsPerInstance, boolean first, boolean second) {
        double forward = 2 * macsPerInstance * count;
        int gradients = (first ? 1 : 0) + (second ? 1 : 0);
        return new FlopBreakdown.Row(name, count, forward, gradients * forward);
    }
}
