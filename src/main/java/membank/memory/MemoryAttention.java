package membank.memory;

import static org.bytedeco.pytorch.global.torch.matmul;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.config.ChapterConfig;
import membank.nn.Ops;

/**
 * Memory cross-attention (spec section 1): queries from the sequence, keys and values from the
 * bank, no positional encoding and no causal mask; the output projection starts at zero so a
 * fresh memory layer is the identity. With chapters (spec section 2) a router picks which
 * chapters of the bank each sequence or position reads.
 */
public final class MemoryAttention extends Module {
    private final LinearImpl q;
    private final LinearImpl k;
    private final LinearImpl v;
    private final LinearImpl o;
    private final long heads;
    private final long kvHeads;
    private final long headDim;
    private final ChapterConfig chapters;
    private final ChapterRouter router;
    private final RoutedRead routed;

    /** Dense memory attention: every position reads the whole bank. */
    public MemoryAttention(long dim, long heads, long kvHeads, long headDim) {
        this(dim, heads, kvHeads, headDim, null);
    }

    /** @param chapters the Mixture of Chapters layout, or null for dense memory */
    public MemoryAttention(long dim, long heads, long kvHeads, long headDim, ChapterConfig chapters) {
        this.q = register_module("q_proj", Ops.linear(dim, heads * headDim, false));
        this.k = register_module("k_proj", Ops.linear(dim, kvHeads * headDim, false));
        this.v = register_module("v_proj", Ops.linear(dim, kvHeads * headDim, false));
        this.o = register_module("o_proj", Ops.zeroLinear(heads * headDim, dim));
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.chapters = chapters;
        this.router = chapters == null ? null
                : register_module("router", new ChapterRouter(dim, chapters.count() - chapters.shared(), chapters.topK()));
        this.routed = chapters == null ? null : new RoutedRead(chapters, kvHeads);
    }

    /** Pins how per-position routed reads get their keys (tests compare both against the reference). */
    void setReadStrategy(RoutedRead.Strategy strategy) {
        routed.setStrategy(strategy);
    }

    public boolean isRouted() {
        return router != null;
    }

    /**
     * Reads the bank: x [B, L, d] (already normalised) -> y [B, L, d]. {@code cached} holds the
     * bank's K/V projected once (inference) or is null to project what is read now.
     */
    public Tensor forward(Tensor x, Tensor bank, MemoryKv cached, MemoryRead read) {
        if (router == null) {
            return forward(x, cached != null ? cached : project(bank));
        }
        Routing routing = router.route(x, read.routing(), read.valid(), read.state());
        if (read.trace() != null) {
            read.trace().record(read.layer(), routing);
        }
        long tokensPerChapter = (cached != null ? cached.keys().size(1) : bank.size(0)) / chapters.count();
        ChapterKv source = cached != null ? ChapterKv.cached(cached, tokensPerChapter)
                : ChapterKv.projecting(bank, k, v, kvHeads, headDim, tokensPerChapter);
        Tensor query = q.forward(x).mul(Ops.scalar(1.0 / Math.sqrt(headDim)));
        Tensor rows = query.view(query.size(0), query.size(1), heads, headDim);
        return o.forward(routed.read(rows, routing, source));
    }

    /** K = M Wk^T and V = M Wv^T of a bank M [N, d], shaped [Hkv, N, dh]. */
    public MemoryKv project(Tensor bank) {
        return new MemoryKv(bankHeads(k.forward(bank)), bankHeads(v.forward(bank)));
    }

    /** Reads the whole bank: x [B, L, d] (already normalised) -> y [B, L, d]. */
    public Tensor forward(Tensor x, Tensor bank) {
        return forward(x, project(bank));
    }

    /**
     * Reads precomputed bank keys and values. Every position reads the same keys, so the batch and
     * the query heads sharing a kv head are folded into one row dimension: one matmul per kv head,
     * softmax(Q K^T / sqrt(dh)) V, with no copy of the bank per sequence or per query head.
     */
    public Tensor forward(Tensor x, MemoryKv kv) {
        // The 1/sqrt(dh) scale is applied to the (small) queries, not to the [rows, N] scores.
        Tensor query = q.forward(x).mul(Ops.scalar(1.0 / Math.sqrt(headDim)));
        long batch = query.size(0);
        long length = query.size(1);
        long group = heads / kvHeads;
        // [B, L, Hkv, g, dh] -> [Hkv, B*L*g, dh]
        Tensor rows = query.view(batch * length, kvHeads, group * headDim).transpose(0, 1)
                .reshape(kvHeads, batch * length * group, headDim);
        // Under autocast the bank K/V may have been cached in another precision than the queries.
        Tensor keys = kv.keys().to(rows.scalar_type());
        Tensor values = kv.values().to(rows.scalar_type());
        Tensor scores = matmul(rows, keys.transpose(1, 2));
        Tensor out = matmul(scores.softmax(-1), values);
        Tensor merged = out.view(kvHeads, batch * length, group * headDim).transpose(0, 1)
                .reshape(batch, length, heads * headDim);
        return o.forward(merged);
    }

    /** [N, Hkv*dh] -> [Hkv, N, dh]. */
    private Tensor bankHeads(Tensor projected) {
        long tokens = projected.size(0);
        return projected.view(tokens, kvHeads, headDim).transpose(0, 1);
    }
}
