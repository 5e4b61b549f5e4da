package membank.memory;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.RoutingMode;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Memory cross-attention (spec section 1): queries from the sequence, keys and values from the
 * bank, no positional encoding and no causal mask; the output projection starts at zero so a
 * fresh memory layer is the identity. With chapters (spec section 2) a router picks which
 * chapters of the bank each sequence or position reads. Keys and values read memory tokens of
 * the bank's token width: d, or r for a reduced bank (spec section 5).
 */
public final class MemoryAttention extends Module {
    private final MemoryProjection q;
    private final MemoryProjection k;
    private final MemoryProjection v;
    private final MemoryProjection o;
    private final long tokenWidth;
    private final long heads;
    private final long kvHeads;
    private final long headDim;
    private final ChapterConfig chapters;
    private final ChapterRouter router;
    private final RoutedRead routed;
    /** Separate K/V projections of context vectors ({@code membank.context.kv = own}), else null. */
    private final MemoryProjection contextK;
    private final MemoryProjection contextV;
    private ReadStrategy strategy = ReadStrategy.AUTO;

    /**
     * The memory attention of a model of width {@code dim} with memory {@code m}: its heads, the
     * bank's token width (d, or r for a reduced bank), low-rank projections, chapters and whether
     * context vectors have K/V projections of their own ({@code membank.context.kv = own}).
     */
    public MemoryAttention(MemoryConfig m, long dim) {
        Integer rank = m.projectionRank();
        this.tokenWidth = m.bank().tokenWidth(dim);
        this.heads = m.numHeads();
        this.kvHeads = m.numKvHeads();
        this.headDim = m.headDim();
        this.chapters = m.chapters();
        this.q = MemoryProjection.register(this, "q_proj", dim, heads * headDim, rank, false);
        this.k = MemoryProjection.register(this, "k_proj", tokenWidth, kvHeads * headDim, rank, false);
        this.v = MemoryProjection.register(this, "v_proj", tokenWidth, kvHeads * headDim, rank, false);
        this.o = MemoryProjection.register(this, "o_proj", heads * headDim, dim, rank, true);
        this.router = chapters == null ? null
                : register_module("router", new ChapterRouter(dim, chapters.count() - chapters.shared(), chapters.topK()));
        this.routed = chapters == null ? null : new RoutedRead(chapters, kvHeads);
        boolean ownContextKv = m.context() != null && m.context().ownKv();
        this.contextK = ownContextKv ? MemoryProjection.register(this, "context_k_proj", dim, kvHeads * headDim, null, false) : null;
        this.contextV = ownContextKv ? MemoryProjection.register(this, "context_v_proj", dim, kvHeads * headDim, null, false) : null;
    }

    /**
     * Pins how the layer computes its read: {@link ReadStrategy#REFERENCE} reads by the spec's
     * loops (slow); the others pin how per-position routed reads get their keys (tests compare
     * them with the reference); {@link ReadStrategy#AUTO} lets the cost decide.
     */
    public void setReadStrategy(ReadStrategy strategy) {
        this.strategy = strategy;
        if (routed != null) {
            routed.setStrategy(strategy);
        }
    }

    /**
     * Pins the chunks of a recomputed bank-space read: 1 reads whole (data-parallel training), 0
     * sizes them by memory; tests compare several with the whole read.
     */
    public void setReadChunks(int chunks) {
        routed.setChunks(chunks);
    }

    public boolean isRouted() {
        return router != null;
    }

    /**
     * Reads the bank: x [B, L, d] (already normalised) -> y [B, L, d], with the context vectors
     * of {@code read}, if any, read beside the bank.
     */
    public Tensor forward(Tensor x, MemoryRead read) {
        // one query projection and one output projection serve the bank and the context (W_o is linear)
        Tensor query = q.forward(x);
        Tensor perHead = readBank(x, query, read);
        if (read.context() != null) {
            perHead = perHead.add(contextHeads(query, read.context()));
        }
        return o.forward(perHead);
    }

    /**
     * Whether {@link #forward} of {@code read} over {@code length} positions keeps no tensor it makes
     * past its return, except what it records into the read's trace: not while decoding (cached K/V,
     * router states), nor for a per-position routed read recorded for backward, which may be
     * recomputed in chunks whose hooks hold their inputs ({@link RoutedRead}).
     */
    public boolean keepsNoTensors(MemoryRead read, long length) {
        if (read.cached() != null || read.state() != null) {
            return false;
        }
        if (router == null || !Scope.recordsGraph()) {
            return true;
        }
        RoutingMode mode = read.routing() != null ? read.routing() : chapters.routing();
        // one position per sequence is read per position (RoutedRead)
        return mode == RoutingMode.SEQUENCE && length > 1;
    }

    /** The bank's read before the output projection, [B, L, Hq*dh], from unscaled queries. */
    private Tensor readBank(Tensor x, Tensor query, MemoryRead read) {
        MemoryKv cached = read.cached();
        boolean reference = strategy == ReadStrategy.REFERENCE;
        if (router == null) {
            MemoryKv kv = cached != null ? cached : project(read.bank());
            if (read.trace() != null && read.trace().denseTopK() > 0) {
                read.trace().recordDense(read.layer(), topRows(query, kv, read.trace().denseTopK()));
            }
            return reference ? ReferenceRead.bank(query, kv, heads, null, null, null) : denseHeads(query, kv);
        }
        Routing routing = router.route(x, read.routing() != null ? read.routing() : chapters.routing(), read.valid(),
                read.state());
        if (read.trace() != null) {
            read.trace().record(read.layer(), routing);
        }
        if (reference) {
            MemoryKv kv = cached != null ? cached : project(read.bank());
            return ReferenceRead.bank(query, kv, heads, ReferenceRead.Mixing.of(chapters), routing.chapters(), routing.weights());
        }
        BankRows bank = read.bank();
        long tokensPerChapter = (cached != null ? cached.keys().size(1) : bank.size()) / chapters.count();
        ChapterKv source = cached != null ? ChapterKv.cached(cached, tokensPerChapter)
                : ChapterKv.projecting(bank, keyWeight(bank), valueWeight(bank), kvHeads, headDim, tokensPerChapter);
        Tensor scaled = Ops.times(query, 1.0 / Math.sqrt(headDim));
        Tensor rows = scaled.view(scaled.size(0), scaled.size(1), heads, headDim);
        return routed.read(rows, routing, source);
    }

    /** K = M Wk^T and V = M Wv^T of a bank, shaped [Hkv, N, dh]. */
    public MemoryKv project(BankRows bank) {
        Tensor rows = bank.all();
        return new MemoryKv(bankHeads(Ops.linear(rows, keyWeight(bank))), bankHeads(Ops.linear(rows, valueWeight(bank))));
    }

    /**
     * The dense read of unscaled queries [B, L, Hq*dh] before the output projection. Every position
     * reads the same keys, so the batch and the query heads sharing a kv head are folded into one
     * row dimension: one matmul per kv head, softmax(Q K^T / sqrt(dh)) V, with no copy of the bank
     * per sequence or per query head.
     */
    private Tensor denseHeads(Tensor projected, MemoryKv kv) {
        // The 1/sqrt(dh) scale is applied to the (small) queries, not to the [rows, N] scores.
        Tensor query = Ops.times(projected, 1.0 / Math.sqrt(headDim));
        long batch = query.size(0);
        long length = query.size(1);
        long group = heads / kvHeads;
        // [B, L, Hkv, g, dh] -> [Hkv, B*L*g, dh]
        Tensor rows = query.view(batch * length, kvHeads, group * headDim).transpose(0, 1)
                .reshape(kvHeads, batch * length * group, headDim);
        // Under autocast the bank K/V may have been cached in another precision than the queries.
        Tensor keys = kv.keys().to(rows.scalar_type());
        Tensor values = kv.values().to(rows.scalar_type());
        Tensor out = Ops.isFloat32(rows) ? Ops.fusedRead(rows, keys, values)
                : Ops.matmul(Ops.matmul(rows, keys.transpose(1, 2)).softmax(-1), values);
        return out.view(kvHeads, batch * length, group * headDim).transpose(0, 1)
                .reshape(batch, length, heads * headDim);
    }

    /**
     * The {@code k} rows of highest attention weight for each position and query head, [B, L, Hq, k]
     * int64: softmax is monotone, so these are the top-k scores q·k (the 1/sqrt(dh) scale changes no order).
     */
    private Tensor topRows(Tensor projected, MemoryKv kv, int k) {
        try (Scope ignored = Scope.noGrad()) {
            long batch = projected.size(0);
            long length = projected.size(1);
            long group = heads / kvHeads;
            Tensor rows = projected.detach().view(batch * length, kvHeads, group * headDim).transpose(0, 1)
                    .reshape(kvHeads, batch * length * group, headDim);
            Tensor keys = kv.keys().to(rows.scalar_type());
            Tensor scores = Ops.matmul(rows, keys.transpose(1, 2));
            long kept = Math.min(k, scores.size(-1));
            Tensor top = Ops.topk(scores, kept).indices();
            // [Hkv, B*L*g, k] -> [B, L, Hkv*g, k]: query head h = kv head * g + index in its group
            return top.view(kvHeads, batch * length, group, kept).permute(1, 0, 2, 3).reshape(batch, length, heads, kept);
        }
    }

    /**
     * The context read (spec section 7) of unscaled queries [B, L, Hq*dh] before the output
     * projection: softmax(Q K_c^T / sqrt(dh)) V_c per head over the valid vectors, its own softmax,
     * so it adds to the bank's read like one more shared chapter.
     */
    private Tensor contextHeads(Tensor projected, ContextRead context) {
        Tensor query = Ops.splitHeads(projected, heads, headDim);
        Tensor vectors = context.vectors().to(query.scalar_type());
        Tensor keys = Ops.splitHeads((contextK != null ? contextK : k).forward(vectors), kvHeads, headDim);
        Tensor values = Ops.splitHeads((contextV != null ? contextV : v).forward(vectors), kvHeads, headDim);
        if (strategy == ReadStrategy.REFERENCE && context.attention() == null) {
            return ReferenceRead.context(projected, keys, values, context.valid(), heads);
        }
        long batch = query.size(0);
        if (keys.size(0) != batch) {
            keys = keys.expand(batch, -1, -1, -1);
            values = values.expand(batch, -1, -1, -1);
        }
        Tensor mask = context.valid() == null ? null
                : context.valid().view(context.valid().size(0), 1, 1, context.valid().size(1)).expand(batch, 1, 1, -1);
        Tensor out;
        if (context.attention() != null) {
            out = attendRecording(query, keys, values, mask, context.attention());
        } else {
            out = mask == null ? Ops.attention(query, keys, values, false) : Ops.attention(query, keys, values, mask);
        }
        return Ops.mergeHeads(out);
    }

    /**
     * The same read with its probabilities handed to {@code sink}: the reference equation
     * ({@link ReferenceRead#attend}) on all positions and heads at once.
     */
    private Tensor attendRecording(Tensor query, Tensor keys, Tensor values, Tensor mask, ContextAttention sink) {
        long group = heads / kvHeads;
        // one copy of the kv heads per query head: the context is small (read_limit vectors)
        return ReferenceRead.attend(query, Ops.repeatKvHeads(keys, group), Ops.repeatKvHeads(values, group), mask, sink);
    }

    /** Wk as it applies to the bank's rows: Wk·B for a factorized bank, so A·Bᵀ is never formed. */
    private Tensor keyWeight(BankRows bank) {
        return throughBasis(k.weight(), bank);
    }

    private Tensor valueWeight(BankRows bank) {
        return throughBasis(v.weight(), bank);
    }

    private Tensor throughBasis(Tensor weight, BankRows bank) {
        Tensor basis = bank.basis();
        long width = basis == null ? bank.width() : basis.size(0);
        if (width != tokenWidth) {
            throw new IllegalArgumentException("memory attention reads memory tokens of width " + tokenWidth
                    + ", but the bank's are " + width + " wide");
        }
        return basis == null ? weight : Ops.matmul(weight, basis);
    }

    /** [N, Hkv*dh] -> [Hkv, N, dh]. */
    private Tensor bankHeads(Tensor projected) {
        long tokens = projected.size(0);
        return projected.view(tokens, kvHeads, headDim).transpose(0, 1);
    }
}
