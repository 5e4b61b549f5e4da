package membank.nn;

import static org.bytedeco.pytorch.global.torch.ones;
import static org.bytedeco.pytorch.global.torch.tril;

import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Causal GQA self-attention with RoPE, through libtorch's scaled_dot_product_attention. */
public final class SelfAttention extends Module {
    private final Projection q;
    private final Projection k;
    private final Projection v;
    private final Projection o;
    private final long heads;
    private final long kvHeads;
    private final long headDim;

    public SelfAttention(long dim, long heads, long kvHeads, long headDim, boolean qkvBias) {
        this.q = new Projection(register_module("q_proj", Layers.linear(dim, heads * headDim, qkvBias)));
        this.k = new Projection(register_module("k_proj", Layers.linear(dim, kvHeads * headDim, qkvBias)));
        this.v = new Projection(register_module("v_proj", Layers.linear(dim, kvHeads * headDim, qkvBias)));
        this.o = new Projection(register_module("o_proj", Layers.linear(heads * headDim, dim, false)));
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /** x [B, L, d]; with a cache, x holds the positions after those already cached. */
    public Tensor forward(Tensor x, Rope rope, KvCache cache) {
        long offset = cache == null ? 0 : cache.length();
        List<Tensor> qkv = Projection.forwardTogether(x, q, k, v);
        Tensor qh = rope.apply(Ops.splitHeads(qkv.get(0), heads, headDim), offset);
        Tensor kh = rope.apply(Ops.splitHeads(qkv.get(1), kvHeads, headDim), offset);
        Tensor vh = Ops.splitHeads(qkv.get(2), kvHeads, headDim);
        Tensor out;
        if (cache == null) {
            out = Ops.attention(qh, kh, vh, true);
        } else {
            Tensor[] kv = cache.append(kh, vh);
            out = attendAfter(qh, kv[0], kv[1], offset);
        }
        return o.forward(Ops.mergeHeads(out));
    }

    /** The projections by their Hugging Face names, for adapters. */
    public Map<String, Projection> projections() {
        return Map.of("q_proj", q, "k_proj", k, "v_proj", v, "o_proj", o);
    }

    public KvCache newCache(long batch, long maxLength, TensorOptions options) {
        return new KvCache(batch, kvHeads, maxLength, headDim, options);
    }

    /** Queries at positions offset.. attend to every cached position up to their own. */
    private static Tensor attendAfter(Tensor q, Tensor k, Tensor v, long offset) {
        long queries = q.size(2);
        if (queries == 1) {
            return Ops.attention(q, k, v, false);
        }
        if (offset == 0) {
            return Ops.attention(q, k, v, true);
        }
        long keys = k.size(2);
        Tensor mask = Ops.on(tril(ones(new long[] {queries, keys}, new TensorOptions(ScalarType.Bool)), offset), q);
        return Ops.attention(q, k, v, mask);
    }
}
