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

    /** How per-position reads get their keys; tests pin one, the model lets the cost decide. */
    enum Strategy {
        /** The cheaper of the two for each batch, by the multiply-adds each needs. */
        AUTO,
        /** Project K/V of every touched chapter once, attend per kv head in head space. */
        PROJECTED_KEYS,
        /**
         * Attend in the bank's d-dimensional space: {@code q K^T = (q Wk) M^T} and
         * {@code P V = (P M) Wv^T}, so no chapter is projected at all. Costs d/dh more per
         * assignment but nothing per touched chapter: the winner when a batch touches many
         * chapters with few positions each (large banks with prefix/token routing).
         */
        BANK_SPACE
    }

    private Strategy strategy = Strategy.AUTO;

    void setStrategy(Strategy strategy) {
        this.strategy = strategy;
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
        Tensor routedCoefficients = weights;
        Tensor sharedCoefficients = null;
        if (joint) {
            // One softmax over the union = a softmax over blocks of lse_b + log(alpha w_b).
            Tensor logits = routed.lse().add(weights.log());
            if (common != null) {
                logits = Ops.cat(common.lse(), logits, 2);
            }
            Tensor all = logits.softmax(2);
            long k = routed.lse().size(2);
            routedCoefficients = all.narrow(2, all.size(2) - k, k);
            sharedCoefficients = common == null ? null : all.narrow(2, 0, 1);
        }
        Tensor out = routed.out().mul(routedCoefficients.unsqueeze(-1)).sum(new long[] {2}, false, new ScalarTypeOptional());
        if (routed.bankSpace()) {
            out = source.valuesFromBankSpace(out);
        }
        if (common != null) {
            Tensor sharedOut = sharedCoefficients == null ? common.out() : common.out().mul(sharedCoefficients.unsqueeze(-1));
            out = out.add(sharedOut.squeeze(2));
        }
        return out.reshape(s[0], s[1], s[2] * s[3]);
    }

    /**
     * Attention outputs [B, L, n, Hq, e] of n blocks per position, with e = dh, or e = d in bank
     * space (Wv is applied once after the mix), and their log-sum-exp [B, L, n, Hq] (joint only).
     */
    private record Block(Tensor out, Tensor lse, boolean bankSpace) {
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
        return new Block(out, lse, false);
    }

    /** Prefix and token routing: assignments grouped by chapter into pieces, one batched matmul. */
    private Block perPosition(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3];
        int k = (int) routing.chapters().size(2);
        ChapterGroups groups = ChapterGroups.of(Ops.toLongs(routing.chapters()), k, (int) routing.probs().size(-1));
        Tensor rows = query.reshape(batch * length, heads, dh);
        boolean bankSpace = source.canReadBankSpace() && switch (strategy) {
            case BANK_SPACE -> true;
            case PROJECTED_KEYS -> false;
            case AUTO -> bankSpaceIsCheaper(source, batch * length, heads, dh, groups);
        };
        Tensor chapters = Ops.longs(groups.chapters).add(Ops.integer(shared));
        Tensor[] attended;
        long width;
        if (bankSpace) {
            // All heads read the same bank rows: a piece is [size * Hq, d] against [T, d].
            Tensor keys = perPiece(source.bankChapters(chapters), groups);
            Tensor pieces = source.queriesToBankSpace(rows).index_select(0, Ops.longs(groups.slotRow))
                    .view(groups.pieces(), groups.pieceSize * heads, -1);
            attended = attend(pieces, keys, keys);
            width = keys.size(-1);
        } else {
            MemoryKv kv = source.chapters(chapters);
            long group = heads / kvHeads;
            Tensor pieces = rows.index_select(0, Ops.longs(groups.slotRow))
                    .view(groups.pieces(), groups.pieceSize, kvHeads, group, dh).permute(0, 2, 1, 3, 4)
                    .reshape(groups.pieces(), kvHeads, groups.pieceSize * group, dh);
            attended = attend(pieces, perPiece(kv.keys(), groups), perPiece(kv.values(), groups));
            // [pieces, Hkv, size*g, .] -> [pieces, size, Hq, .]
            attended[0] = attended[0].view(groups.pieces(), kvHeads, groups.pieceSize, group, dh).permute(0, 2, 1, 3, 4);
            if (attended[1] != null) {
                attended[1] = attended[1].view(groups.pieces(), kvHeads, groups.pieceSize, group).permute(0, 2, 1, 3);
            }
            width = dh;
        }
        Tensor slots = Ops.longs(groups.assignmentSlot);
        long slotCount = groups.pieces() * groups.pieceSize;
        Tensor out = attended[0].reshape(slotCount, heads, width).index_select(0, slots)
                .view(batch, length, k, heads, width);
        Tensor lse = attended[1] == null ? null : attended[1].reshape(slotCount, heads).index_select(0, slots)
                .view(batch, length, k, heads);
        return new Block(out, lse, bankSpace);
    }

    /** Per-chapter tensors [U, ...] repeated for chapters that span several pieces. */
    private static Tensor perPiece(Tensor perChapter, ChapterGroups groups) {
        return groups.pieces() == groups.chapters.length ? perChapter
                : perChapter.index_select(0, Ops.longs(groups.pieceChapter));
    }

    /**
     * Multiply-adds of both ways for this batch: projecting K and V of the U touched chapters
     * ({@code U T d 2 Hkv dh}) and attending in head space ({@code A Hq T dh 2}), against moving
     * the queries and outputs of R positions through Wk and Wv ({@code R Hq dh d 2}) and attending
     * in bank space ({@code A Hq T d 2}).
     */
    private boolean bankSpaceIsCheaper(ChapterKv source, long positions, long heads, long dh, ChapterGroups groups) {
        double t = source.tokensPerChapter;
        double d = source.bankWidth();
        double assignments = groups.assignmentSlot.length;
        double projected = groups.chapters.length * t * d * 2 * kvHeads * dh + assignments * heads * t * dh * 2;
        double bankSpace = positions * heads * dh * d * 2 + assignments * heads * t * d * 2;
        return bankSpace < projected;
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
        return new Block(out, lse, false);
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
