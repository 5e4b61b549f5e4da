package membank.memory;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * Memory cross-attention (spec section 1): queries from the sequence, keys and values from the
 * bank, no positional encoding and no causal mask; the output projection starts at zero so a
 * fresh memory layer is the identity.
 */
public final class MemoryAttention extends Module {
    private final LinearImpl q;
    private final LinearImpl k;
    private final LinearImpl v;
    private final LinearImpl o;
    private final long heads;
    private final long kvHeads;
    private final long headDim;

    public MemoryAttention(long dim, long heads, long kvHeads, long headDim) {
        this.q = register_module("q_proj", Ops.linear(dim, heads * headDim, false));
        this.k = register_module("k_proj", Ops.linear(dim, kvHeads * headDim, false));
        this.v = register_module("v_proj", Ops.linear(dim, kvHeads * headDim, false));
        this.o = register_module("o_proj", Ops.zeroLinear(heads * headDim, dim));
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /** K = M Wk^T and V = M Wv^T of a bank M [N, d], shaped [1, Hkv, N, dh]. */
    public MemoryKv project(Tensor bank) {
        return new MemoryKv(bankHeads(k.forward(bank)), bankHeads(v.forward(bank)));
    }

    /** Reads the whole bank: x [B, L, d] (already normalised) -> y [B, L, d]. */
    public Tensor forward(Tensor x, Tensor bank) {
        return forward(x, project(bank));
    }

    /** Reads precomputed bank keys and values. */
    public Tensor forward(Tensor x, MemoryKv kv) {
        Tensor query = Ops.splitHeads(q.forward(x), heads, headDim);
        long batch = query.size(0);
        // Under autocast the bank K/V may have been cached in another precision than the queries.
        Tensor keys = kv.keys().to(query.scalar_type()).expand(batch, -1, -1, -1);
        Tensor values = kv.values().to(query.scalar_type()).expand(batch, -1, -1, -1);
        Tensor out = Ops.attention(query, keys, values, false);
        return o.forward(Ops.mergeHeads(out));
    }

    private Tensor bankHeads(Tensor projected) {
        long tokens = projected.size(0);
        return projected.view(tokens, kvHeads, headDim).transpose(0, 1).unsqueeze(0);
    }
}
