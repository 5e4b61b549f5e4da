package membank.memory;

import static org.bytedeco.pytorch.global.torch.matmul;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.ChapterConfig;
import membank.nn.Ops;

/**
 * The fast routed read (spec sections 2 and 3). Every block a position reads (the shared chapters
 * as one block, each chosen chapter as another) is attended with its own softmax, keeping the
 * block's log-sum-exp; the blocks are then merged exactly: weighted by {@code alpha w_c}
 * (independent mixing) or by a softmax over blocks of {@code lse_b + log(alpha w_b)}, which is the
 * joint softmax over the union of their tokens. Keys and values are only ever projected per
 * distinct chapter, never per position.
 */
final class RoutedRead {
    private final int shared;
    private final double routedScale;
    private final boolean joint;
    private final long kvHeads;

    RoutedRead(ChapterConfig chapters, long kvHeads) {
        this.shared = chapters.shared();
        this.routedScale = chapters.routedScale();
        this.joint = "joint".equals(chapters.mixing());
        this.kvHeads = kvHeads;
    }

    /**
     * @param query scaled queries [B, L, Hq, dh]
     * @return the mixed attention output [B, L, Hq*dh]
     */
    Tensor read(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        Block routed = routing.perSequence() ? perSequence(query, routing, source) : perPosition(query, routing, source);
        Block common = shared > 0 ? sharedBlock(query, source) : null;
        // [B, P, k, 1] broadcasts over positions (P = 1 or L) and heads.
        Tensor weights = routing.weights().mul(Ops.scalar(routedScale)).unsqueeze(-1);
        Tensor out = joint ? jointMerge(routed, common, weights) : independentMerge(routed, common, weights);
        return out.reshape(s[0], s[1], s[2] * s[3]);
    }

    /** Attention outputs [B, L, n, Hq, dh] of n blocks per position, and their log-sum-exp [B, L, n, Hq]. */
    private record Block(Tensor out, Tensor lse) {
    }

    private Tensor independentMerge(Block routed, Block common, Tensor weights) {
        Tensor out = routed.out().mul(weights.unsqueeze(-1)).sum(new long[] {2}, false, new ScalarTypeOptional());
        return common == null ? out : out.add(common.out().squeeze(2));
    }

    private Tensor jointMerge(Block routed, Block common, Tensor weights) {
        Tensor logits = routed.lse().add(weights.log());
        Tensor outs = routed.out();
        if (common != null) {
            logits = Ops.cat(common.lse(), logits, 2);
            outs = Ops.cat(common.out(), outs, 2);
        }
        Tensor coefficients = logits.softmax(2).unsqueeze(-1);
        return outs.mul(coefficients).sum(new long[] {2}, false, new ScalarTypeOptional());
    }

    /** Sequence routing: every position of sequence b reads the same k chapters, one batched matmul. */
    private Block perSequence(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        long k = routing.chapters().size(2);
        MemoryKv kv = source.chapters(routing.chapters().reshape(-1).add(Ops.integer(shared)));
        // [B*k, Hkv, T, dh] -> [B, Hkv, k, T, dh]
        Tensor keys = kv.keys().view(batch, k, kvHeads, -1, dh).transpose(1, 2);
        Tensor values = kv.values().view(batch, k, kvHeads, -1, dh).transpose(1, 2);
        // [B, L, Hkv, g, dh] -> [B, Hkv, 1, L*g, dh], broadcast over the k chapters
        Tensor rows = query.view(batch, length, kvHeads, group, dh).permute(0, 2, 1, 3, 4)
                .reshape(batch, kvHeads, 1, length * group, dh);
        Tensor[] attended = attend(rows, keys, values);
        Tensor out = attended[0].view(batch, kvHeads, k, length, group, dh).permute(0, 3, 2, 1, 4, 5)
                .reshape(batch, length, k, heads, dh);
        Tensor lse = attended[1] == null ? null : attended[1].view(batch, kvHeads, k, length, group)
                .permute(0, 3, 2, 1, 4).reshape(batch, length, k, heads);
        return new Block(out, lse);
    }

    /** Prefix and token routing: assignments grouped by chapter into pieces, one batched matmul. */
    private Block perPosition(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        int k = (int) routing.chapters().size(2);
        ChapterGroups groups = ChapterGroups.of(Ops.toLongs(routing.chapters()), k, (int) routing.probs().size(-1));
        long pieces = groups.pieces();
        long size = groups.pieceSize;
        Tensor rows = query.reshape(batch * length, heads, dh).index_select(0, Ops.longs(groups.slotRow))
                .view(pieces, size, kvHeads, group, dh).permute(0, 2, 1, 3, 4)
                .reshape(pieces, kvHeads, size * group, dh);
        MemoryKv kv = source.chapters(Ops.longs(groups.chapters).add(Ops.integer(shared)));
        Tensor keys = kv.keys();
        Tensor values = kv.values();
        if (pieces != groups.chapters.length) {
            Tensor pieceChapter = Ops.longs(groups.pieceChapter);
            keys = keys.index_select(0, pieceChapter);
            values = values.index_select(0, pieceChapter);
        }
        Tensor[] attended = attend(rows, keys, values);
        Tensor slots = Ops.longs(groups.assignmentSlot);
        Tensor out = attended[0].view(pieces, kvHeads, size, group, dh).permute(0, 2, 1, 3, 4)
                .reshape(pieces * size, heads, dh).index_select(0, slots).view(batch, length, k, heads, dh);
        Tensor lse = attended[1] == null ? null : attended[1].view(pieces, kvHeads, size, group).permute(0, 2, 1, 3)
                .reshape(pieces * size, heads).index_select(0, slots).view(batch, length, k, heads);
        return new Block(out, lse);
    }

    /** The S shared chapters as one block that every position reads. */
    private Block sharedBlock(Tensor query, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        MemoryKv kv = source.span(0, shared);
        Tensor rows = query.view(batch * length, kvHeads, group * dh).transpose(0, 1)
                .reshape(kvHeads, batch * length * group, dh);
        Tensor[] attended = attend(rows, kv.keys(), kv.values());
        Tensor out = attended[0].view(kvHeads, batch, length, 1, group, dh).permute(1, 2, 3, 0, 4, 5)
                .reshape(batch, length, 1, heads, dh);
        Tensor lse = attended[1] == null ? null : attended[1].view(kvHeads, batch, length, 1, group)
                .permute(1, 2, 3, 0, 4).reshape(batch, length, 1, heads);
        return new Block(out, lse);
    }

    /**
     * softmax(q k^T) v over the last two dimensions, scores and softmax in float32; the
     * log-sum-exp of each row is returned only for joint mixing, which needs it.
     */
    private Tensor[] attend(Tensor q, Tensor k, Tensor v) {
        Tensor scores = matmul(q, k.to(q.scalar_type()).transpose(-2, -1)).to(ScalarType.Float);
        Tensor lse = null;
        Tensor probs;
        if (joint) {
            lse = scores.logsumexp(new long[] {-1}, true);
            probs = scores.sub(lse).exp();
            lse = lse.squeeze(-1);
        } else {
            probs = scores.softmax(-1);
        }
        Tensor out = matmul(probs.to(q.scalar_type()), v.to(q.scalar_type()));
        return new Tensor[] {out, lse};
    }
}
