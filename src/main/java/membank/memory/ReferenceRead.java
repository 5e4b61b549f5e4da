package membank.memory;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

import membank.config.ChapterConfig;
import membank.nn.Ops;

/**
 * The memory read of spec sections 1-3 and 7 as their obvious loops ({@link ReadStrategy#REFERENCE}):
 * for every sequence, position and query head, a softmax over each block of memory tokens it
 * reads, mixed as the spec says. Every step is a differentiable libtorch op on a small slice, so
 * autograd gives the gradients the fast paths must give. Speed does not matter; the fast paths of
 * {@link MemoryAttention} and {@link RoutedRead} are tested against it. Its equation,
 * {@link #attend(Tensor, Tensor, Tensor, Tensor, ContextAttention)}, also serves batched where the
 * probabilities themselves are wanted (the context read that records attention).
 */
final class ReferenceRead {

    private ReferenceRead() {
    }

    /** How a routed read mixes its blocks (spec section 2): C chapters, the first S shared, alpha, joint or not. */
    record Mixing(int count, int shared, double routedScale, boolean joint) {
        static Mixing of(ChapterConfig c) {
            return new Mixing(c.count(), c.shared(), c.routedScale(), c.mixing() == ChapterConfig.Mixing.JOINT);
        }
    }

    /** What one query head of one position reads: its query [dh] -> its output [dh]. */
    private interface HeadRead {
        Tensor read(int b, int t, int h, Tensor q);
    }

    /**
     * The bank's read before the output projection.
     *
     * @param query unscaled queries [B, L, Hq*dh]
     * @param kv the bank's keys and values, [Hkv, N, dh]
     * @param chapters how chapters mix, or null: every position reads the whole bank (section 1)
     * @param chosen the routed chapters read (0-based among routed chapters) [B, P, k], P = 1
     *               (one decision per sequence) or L; null without chapters
     * @param weights their weights w_c, [B, P, k]
     * @return o [B, L, Hq*dh]
     */
    static Tensor bank(Tensor query, MemoryKv kv, long heads, Mixing chapters, Tensor chosen, Tensor weights) {
        long kvHeads = kv.keys().size(0), tokens = kv.keys().size(1);
        long group = heads / kvHeads;
        long[] ids = chosen == null ? null : Ops.toLongs(chosen);
        return perHead(query, heads, (b, t, h, q) -> {
            Tensor keys = kv.keys().select(0, h / group).to(q.scalar_type());    // [N, dh]
            Tensor values = kv.values().select(0, h / group).to(q.scalar_type());
            if (chapters == null) {
                return attend(q, keys, values);                                   // section 1
            }
            long chapterTokens = tokens / chapters.count();
            long sharedTokens = chapters.shared() * chapterTokens;
            long k = chosen.size(2);
            int decision = chosen.size(1) == 1 ? 0 : t;
            List<Tensor> chapterKeys = new ArrayList<>();
            List<Tensor> chapterValues = new ArrayList<>();
            List<Tensor> coefficients = new ArrayList<>();                        // alpha w_c
            for (int i = 0; i < k; i++) {
                long c = chapters.shared() + ids[(int) (((long) b * chosen.size(1) + decision) * k + i)];
                chapterKeys.add(keys.narrow(0, c * chapterTokens, chapterTokens));
                chapterValues.add(values.narrow(0, c * chapterTokens, chapterTokens));
                coefficients.add(Ops.times(weights.select(0, b).select(0, decision).select(0, i), chapters.routedScale()));
            }
            if (!chapters.joint()) {
                // o = o_s + alpha sum_c w_c o_c, each block with its own softmax
                Tensor o = sharedTokens > 0
                        ? attend(q, keys.narrow(0, 0, sharedTokens), values.narrow(0, 0, sharedTokens)) : null;
                for (int i = 0; i < k; i++) {
                    Tensor term = attend(q, chapterKeys.get(i), chapterValues.get(i)).mul(coefficients.get(i));
                    o = o == null ? term : o.add(term);
                }
                return o;
            }
            // one softmax over the union, log(alpha w_c) added to chapter c's logits
            List<Tensor> logits = new ArrayList<>();
            List<Tensor> blockValues = new ArrayList<>();
            if (sharedTokens > 0) {
                logits.add(scores(q, keys.narrow(0, 0, sharedTokens)));
                blockValues.add(values.narrow(0, 0, sharedTokens));
            }
            for (int i = 0; i < k; i++) {
                logits.add(scores(q, chapterKeys.get(i)).add(coefficients.get(i).log()));
                blockValues.add(chapterValues.get(i));
            }
            return Ops.matmul(Ops.cat(logits, 0).softmax(0), Ops.cat(blockValues, 0));
        });
    }

    /**
     * The context read of section 7 before the output projection: each position and query head
     * reads its row's valid context vectors with a softmax of its own.
     *
     * @param query unscaled queries [B, L, Hq*dh]
     * @param keys context keys [B or 1, Hkv, N_c, dh]
     * @param values context values, likewise
     * @param valid [B or 1, N_c] true on the vectors read, or null for all
     * @return o_c [B, L, Hq*dh]
     */
    static Tensor context(Tensor query, Tensor keys, Tensor values, Tensor valid, long heads) {
        long group = heads / keys.size(1);
        return perHead(query, heads, (b, t, h, q) -> {
            Tensor rowKeys = keys.select(0, keys.size(0) == 1 ? 0 : b).select(0, h / group);      // [N_c, dh]
            Tensor rowValues = values.select(0, values.size(0) == 1 ? 0 : b).select(0, h / group);
            if (valid != null) {
                Tensor read = valid.select(0, valid.size(0) == 1 ? 0 : b).nonzero().view(-1);
                rowKeys = rowKeys.index_select(0, read);
                rowValues = rowValues.index_select(0, read);
            }
            return attend(q, rowKeys.to(q.scalar_type()), rowValues.to(q.scalar_type()));
        });
    }

    /** The loops over sequences, positions and query heads: [B, L, Hq*dh] of what each head reads. */
    private static Tensor perHead(Tensor query, long heads, HeadRead read) {
        long batch = query.size(0), length = query.size(1), dh = query.size(2) / heads;
        List<Tensor> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Tensor> positions = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                List<Tensor> perHead = new ArrayList<>();
                for (int h = 0; h < heads; h++) {
                    perHead.add(read.read(b, t, h, query.select(0, b).select(0, t).narrow(0, h * dh, dh)));
                }
                positions.add(Ops.cat(perHead, 0));
            }
            rows.add(Ops.stack(positions, 0));
        }
        return Ops.stack(rows, 0);
    }

    /** softmax(q K^T / sqrt(dh)) V of one query [dh] over one block of keys and values [n, dh]. */
    private static Tensor attend(Tensor q, Tensor keys, Tensor values) {
        return attend(q, keys, values, null, null);
    }

    /**
     * softmax(q K^T / sqrt(dh)) V, the equation every read above is made of, also batched: queries
     * [..., dh] or one query [dh], keys and values [..., n, dh] (as many heads as the queries).
     *
     * @param mask true on the keys read, broadcast to the scores [..., n], or null for all
     * @param sink takes the probabilities softmax(q K^T / sqrt(dh)), or null
     */
    static Tensor attend(Tensor q, Tensor keys, Tensor values, Tensor mask, ContextAttention sink) {
        Tensor scores = scores(q, keys);
        if (mask != null) {
            scores = Ops.maskedFill(scores, mask.logical_not(), Double.NEGATIVE_INFINITY);
        }
        Tensor probabilities = scores.softmax(-1);
        if (sink != null) {
            sink.record(probabilities);
        }
        return Ops.matmul(probabilities, values);
    }

    /** q K^T / sqrt(dh): [..., n] scores of queries [..., dh] over keys [..., n, dh]. */
    private static Tensor scores(Tensor q, Tensor keys) {
        return Ops.times(Ops.matmul(q, keys.transpose(-2, -1)), 1.0 / Math.sqrt(q.size(-1)));
    }
}
