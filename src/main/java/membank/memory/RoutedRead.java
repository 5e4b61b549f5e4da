package membank.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.ChapterConfig;
import membank.nn.Ops;
import membank.nn.Recompute;
import membank.nn.Scope;

/**
 * The fast routed read (spec sections 2 and 3). Every block a position reads (the shared chapters
 * as one block, each chosen chapter as another) gets its own softmax and log-sum-exp first; the
 * blocks' mixing coefficients follow: {@code alpha w_c} (independent) or a softmax over blocks of
 * {@code lse_b + log(alpha w_b)} (joint, which equals one softmax over the union of their tokens).
 * The coefficients are folded into the probabilities before the value matmul, so the k chapters a
 * position reads cost one wide matmul and no per-chapter output is kept. Keys and values are
 * never copied per position.
 */
final class RoutedRead {
    private final int shared;
    private final double routedScale;
    private final boolean joint;
    private final long kvHeads;
    private ReadStrategy strategy = ReadStrategy.AUTO;
    /** Chunks of a recomputed bank-space read; 0 lets {@link #chunks} size them. */
    private int forcedChunks;
    private final Recompute recompute = new Recompute();
    /**
     * Bytes of slot-sized tensors ([slots, Hq, w] in bf16 and fp32, and their gradients) a training
     * bank-space read may hold at once; above it the read is recomputed in chunks during backward.
     */
    private static final long CHUNK_BYTES = 1L << 30;
    /** Bytes per element of [slots, Hq, w] a bank-space read keeps or makes in forward and backward. */
    private static final long BYTES_PER_SLOT_ELEMENT = 16;

    RoutedRead(ChapterConfig chapters, long kvHeads) {
        this.shared = chapters.shared();
        this.routedScale = chapters.routedScale();
        this.joint = chapters.mixing() == ChapterConfig.Mixing.JOINT;
        this.kvHeads = kvHeads;
    }

    void setStrategy(ReadStrategy strategy) {
        this.strategy = strategy;
    }

    /** Pins the chunks of a training bank-space read (tests); 0 restores the size estimate. */
    void setChunks(int chunks) {
        this.forcedChunks = chunks;
    }

    /**
     * Probabilities of one or more blocks, their log-sum-exp (joint mixing only) and how to finish
     * them: {@code finish(coefficients)} weights the probabilities and applies the values.
     */
    private interface Scored {
        /** Log-sum-exp per position, block and head, [B, L, n, Hq]. */
        Tensor lse();

        /** Sum over the blocks of coefficient x softmax x V, [B, L, Hq, dh]; coefficients [B, L, n, Hq]. */
        Tensor finish(Tensor coefficients);
    }

    /**
     * @param query scaled queries [B, L, Hq, dh]
     * @return the mixed attention output [B, L, Hq*dh]
     */
    Tensor read(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        // One position per sequence (a decoding step) reads like per-position routing, which can
        // attend in bank space: no chapter needs projecting for a single query.
        boolean wide = routing.perSequence() && s[1] > 1;
        Scored routed = wide ? perSequence(query, routing, source) : perPosition(query, routing, source);
        Scored common = shared > 0 ? sharedBlock(query, source) : null;
        // [B, P, k, 1]: P = 1 (sequence routing) or L; broadcast to every position and head.
        Tensor weights = Ops.times(routing.weights(), routedScale).unsqueeze(-1);
        Tensor routedCoefficients = weights.expand(new long[] {s[0], s[1], weights.size(2), s[2]});
        Tensor sharedCoefficients = null;
        if (joint) {
            Tensor logits = routed.lse().add(weights.log());
            if (common != null) {
                logits = Ops.cat(common.lse(), logits, 2);
            }
            Tensor all = logits.softmax(2);
            long k = weights.size(2);
            routedCoefficients = all.narrow(2, all.size(2) - k, k);
            sharedCoefficients = common == null ? null : all.narrow(2, 0, 1);
        }
        Tensor out = routed.finish(routedCoefficients);
        if (common != null) {
            out = out.add(common.finish(sharedCoefficients));
        }
        return out.reshape(s[0], s[1], s[2] * s[3]);
    }

    /**
     * Sequence routing: sequence b's k chapters are laid side by side as k*T keys, so scores and
     * values are each one wide matmul per (sequence, kv head); the softmax is per chapter.
     */
    private Scored perSequence(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        long k = routing.chapters().size(2);
        MemoryKv kv = source.chapters(Ops.plusInteger(routing.chapters().reshape(-1), shared));
        long t = kv.keys().size(2);
        // [B*k, Hkv, T, dh] -> [B, Hkv, k*T, dh]
        Tensor keys = kv.keys().reshape(batch, k, kvHeads, t, dh).transpose(1, 2).reshape(batch, kvHeads, k * t, dh);
        Tensor values = kv.values().reshape(batch, k, kvHeads, t, dh).transpose(1, 2).reshape(batch, kvHeads, k * t, dh);
        // [B, L, Hkv, g, dh] -> [B, Hkv, L*g, dh]: the query heads fold into rows, so the chapters'
        // keys are not copied per query head (Ops.repeatKvHeads would)
        Tensor rows = query.view(batch, length, kvHeads, group, dh).permute(0, 2, 1, 3, 4)
                .reshape(batch, kvHeads, length * group, dh);
        Tensor scores = scores(rows, keys).view(batch, kvHeads, length * group, k, t);
        Tensor lse = joint ? scores.logsumexp(new long[] {-1}, true) : null;
        Tensor probs = probabilities(scores, lse);
        return new Scored() {
            @Override
            public Tensor lse() {
                return lse.view(batch, kvHeads, length, group, k).permute(0, 2, 4, 1, 3).reshape(batch, length, k, heads);
            }

            @Override
            public Tensor finish(Tensor coefficients) {
                // [B, L, k, Hq] -> [B, Hkv, L*g, k, 1]
                Tensor c = coefficients.reshape(batch, length, k, kvHeads, group).permute(0, 3, 1, 4, 2)
                        .reshape(batch, kvHeads, length * group, k, 1);
                Tensor weighted = probs.mul(c.to(probs.scalar_type())).view(batch, kvHeads, length * group, k * t);
                Tensor out = Ops.matmul(weighted.to(values.scalar_type()), values);
                return out.view(batch, kvHeads, length, group, dh).permute(0, 2, 1, 3, 4).reshape(batch, length, heads, dh);
            }
        };
    }

    /**
     * Prefix and token routing: assignments grouped by chapter into pieces (ChapterGroups), one
     * batched matmul over pieces; weighted outputs are added back to their positions.
     */
    private Scored perPosition(Tensor query, Routing routing, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        int k = (int) routing.chapters().size(2);
        ChapterGroups groups = ChapterGroups.of(Ops.toLongs(routing.chapters()), k, (int) routing.probs().size(-1));
        Tensor rows = query.reshape(batch * length, heads, dh);
        boolean bankSpace = source.canReadBankSpace() && switch (strategy) {
            case BANK_SPACE -> true;
            case PROJECTED_KEYS -> false;
            case AUTO, REFERENCE -> bankSpaceIsCheaper(source, batch * length, heads, dh, groups);
        };
        // recomputation is tied to the graph through the queries: a frozen model reading a trained
        // bank reads it whole
        if (bankSpace && !joint && Scope.recordsGraph() && query.requires_grad()) {
            int chunks = forcedChunks > 0 ? forcedChunks : chunks(groups, heads, source.bankWidth());
            if (chunks > 1) {
                return recomputed(query, rows, groups, source, chunks);
            }
        }
        Tensor chapters = Ops.plusInteger(Ops.longs(groups.chapters, query), shared);
        long pieces = groups.pieces();
        long size = groups.pieceSize;
        Tensor slotRows = Ops.longs(groups.slotRow, query);
        Tensor pieceQueries;
        Tensor keys;
        Tensor values;
        if (bankSpace) {
            // Every head reads the same bank rows: a piece is [size*Hq, d] against [T, d].
            keys = perPiece(source.bankChapters(chapters), groups);
            values = keys;
            pieceQueries = source.queriesToBankSpace(rows).index_select(0, slotRows).view(pieces, size * heads, -1);
        } else {
            MemoryKv kv = source.chapters(chapters);
            keys = perPiece(kv.keys(), groups);
            values = perPiece(kv.values(), groups);
            pieceQueries = rows.index_select(0, slotRows).view(pieces, size, kvHeads, group, dh)
                    .permute(0, 2, 1, 3, 4).reshape(pieces, kvHeads, size * group, dh);
        }
        Tensor scores = scores(pieceQueries, keys);
        Tensor lse = joint ? scores.logsumexp(new long[] {-1}, true) : null;
        Tensor probs = probabilities(scores, lse);
        long slots = pieces * size;
        return new Scored() {
            @Override
            public Tensor lse() {
                return toSlots(lse).index_select(0, Ops.longs(groups.assignmentSlot, query)).view(batch, length, k, heads);
            }

            @Override
            public Tensor finish(Tensor coefficients) {
                Tensor perSlot = fromSlots(padded(coefficients, heads).index_select(0, Ops.longs(groups.slotAssignment, query)));
                Tensor out = weightedValues(probs, perSlot.unsqueeze(-1), values);
                long width = out.size(-1);
                Tensor bySlot = bankSpace ? out.reshape(slots, heads, width)
                        : out.view(pieces, kvHeads, size, group, width).permute(0, 2, 1, 3, 4).reshape(slots, heads, width);
                Tensor summed = summedBySlot(query, batch * length, slotRows, bySlot);
                Tensor perPosition = summed.view(batch, length, heads, width);
                return bankSpace ? source.valuesFromBankSpace(perPosition) : perPosition;
            }

            /** [pieces, Hkv, size*g, 1] or [pieces, size*Hq, 1] -> [slots, Hq]. */
            private Tensor toSlots(Tensor perPiece) {
                return bankSpace ? perPiece.reshape(slots, heads)
                        : perPiece.view(pieces, kvHeads, size, group).permute(0, 2, 1, 3).reshape(slots, heads);
            }

            /** [slots, Hq] -> the piece layout of the probabilities without their last dimension. */
            private Tensor fromSlots(Tensor perSlot) {
                return bankSpace ? perSlot.view(pieces, size * heads)
                        : perSlot.view(pieces, size, kvHeads, group).permute(0, 2, 1, 3).reshape(pieces, kvHeads, size * group);
            }
        };
    }

    /** Chunks that keep a training bank-space read's slot-sized tensors within {@link #CHUNK_BYTES}. */
    private static int chunks(ChapterGroups groups, long heads, long width) {
        double bytes = (double) groups.pieces() * groups.pieceSize * heads * width * BYTES_PER_SLOT_ELEMENT;
        return (int) Math.ceil(bytes / CHUNK_BYTES);
    }

    /**
     * The bank-space read of independent mixing, recomputed in chunks of pieces during backward
     * ({@link Recompute}): the same sum as the read above, without keeping every assignment's
     * [Hq, w] query, output and scores alive until backward. What per-position routing of a
     * 1M-token bank needs to fit in memory; it costs one more forward of the read.
     */
    private Scored recomputed(Tensor query, Tensor rows, ChapterGroups groups, ChapterKv source, int wanted) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2];
        long positions = batch * length;
        long size = groups.pieceSize;
        long perChunk = (groups.pieces() + wanted - 1) / wanted;
        int chunks = (int) ((groups.pieces() + perChunk - 1) / perChunk);
        return new Scored() {
            @Override
            public Tensor lse() {
                throw new UnsupportedOperationException("joint mixing is not read in chunks");
            }

            @Override
            public Tensor finish(Tensor coefficients) {
                Tensor bankQueries = source.queriesToBankSpace(rows);
                long width = bankQueries.size(-1);
                // each chunk's indices once: forward and the recomputation in backward both read them
                List<ChunkIndices> indices = new ArrayList<>();
                for (int i = 0; i < chunks; i++) {
                    indices.add(ChunkIndices.of(groups, (int) (i * perChunk), (int) Math.min(perChunk, groups.pieces() - i * perChunk),
                            shared, query));
                }
                Tensor summed = recompute.sum(chunks, List.of(bankQueries, padded(coefficients, heads)), (i, in) -> {
                    ChunkIndices c = indices.get(i);
                    Tensor keys = source.bankChaptersRecomputed(c.chapters());
                    Tensor pieceQueries = in.get(0).index_select(0, c.slotRows()).view(c.pieces(), size * heads, width);
                    Tensor probs = probabilities(scores(pieceQueries, keys), null);
                    Tensor perSlot = in.get(1).index_select(0, c.slotAssignments()).view(c.pieces(), size * heads);
                    Tensor out = weightedValues(probs, perSlot.unsqueeze(-1), keys);
                    return summedBySlot(query, positions, c.slotRows(), out.reshape(c.pieces() * size, heads, width));
                });
                return source.valuesFromBankSpace(summed.view(batch, length, heads, width));
            }
        };
    }

    /**
     * [positions, Hq, w] float32: each slot's output [slots, Hq, w] added to its position's row,
     * into one zero-filled tensor (index_add without the copy of an out-of-place add). Returns the
     * tensor itself: index_add_'s result does not own it.
     */
    private static Tensor summedBySlot(Tensor like, long positions, Tensor slotRows, Tensor bySlot) {
        Tensor summed = Ops.zeros(like, ScalarType.Float, positions, bySlot.size(1), bySlot.size(2));
        summed.index_add_(0, slotRows, bySlot.to(ScalarType.Float));
        return summed;
    }

    /** Of the pieces {@code first .. first+pieces-1}: the chapter each reads (absolute), and their slots' rows and assignments. */
    private record ChunkIndices(long pieces, Tensor chapters, Tensor slotRows, Tensor slotAssignments) {
        static ChunkIndices of(ChapterGroups groups, int first, int pieces, int shared, Tensor like) {
            long[] chapterIds = new long[pieces];
            for (int p = 0; p < pieces; p++) {
                chapterIds[p] = groups.chapters[(int) groups.pieceChapter[first + p]] + shared;
            }
            int from = (int) (first * groups.pieceSize);
            int to = (int) ((first + pieces) * groups.pieceSize);
            return new ChunkIndices(pieces, Ops.longs(chapterIds, like), Ops.longs(Arrays.copyOfRange(groups.slotRow, from, to), like),
                    Ops.longs(Arrays.copyOfRange(groups.slotAssignment, from, to), like));
        }
    }

    /**
     * Mixing coefficients [B, L, k, Hq] as rows [B*L*k + 1, Hq] by assignment; the last row is a
     * zero, which padding slots read.
     */
    private static Tensor padded(Tensor coefficients, long heads) {
        Tensor rows = coefficients.reshape(-1, heads);
        return Ops.cat(rows, Ops.zeros(coefficients, ScalarType.Float, 1, heads), 0);
    }

    /** Probabilities scaled by their coefficients (broadcast), times the values: one matmul over the blocks read. */
    private static Tensor weightedValues(Tensor probs, Tensor coefficients, Tensor values) {
        return Ops.matmul(probs.mul(coefficients.to(probs.scalar_type())).to(values.scalar_type()), values);
    }

    /** Per-chapter tensors [U, ...] repeated for chapters that span several pieces. */
    private static Tensor perPiece(Tensor perChapter, ChapterGroups groups) {
        return groups.pieces() == groups.chapters.length ? perChapter
                : perChapter.index_select(0, Ops.longs(groups.pieceChapter, perChapter));
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
    private Scored sharedBlock(Tensor query, ChapterKv source) {
        long[] s = Ops.shape(query);
        long batch = s[0], length = s[1], heads = s[2], dh = s[3], group = heads / kvHeads;
        MemoryKv kv = source.span(0, shared);
        Tensor rows = query.view(batch * length, kvHeads, group * dh).transpose(0, 1)
                .reshape(kvHeads, batch * length * group, dh);
        Tensor scores = scores(rows, kv.keys());
        Tensor lse = joint ? scores.logsumexp(new long[] {-1}, true) : null;
        Tensor probs = probabilities(scores, lse);
        return new Scored() {
            @Override
            public Tensor lse() {
                return lse.view(kvHeads, batch, length, 1, group).permute(1, 2, 3, 0, 4).reshape(batch, length, 1, heads);
            }

            @Override
            public Tensor finish(Tensor coefficients) {
                Tensor weighted = probs;
                if (coefficients != null) {
                    Tensor c = coefficients.reshape(batch, length, kvHeads, group).permute(2, 0, 1, 3)
                            .reshape(kvHeads, batch * length * group, 1);
                    weighted = probs.mul(c.to(probs.scalar_type()));
                }
                Tensor values = kv.values().to(query.scalar_type());
                Tensor out = Ops.matmul(weighted.to(values.scalar_type()), values);
                return out.view(kvHeads, batch, length, group, dh).permute(1, 2, 0, 3, 4).reshape(batch, length, heads, dh);
            }
        };
    }

    /**
     * q k^T over the last two dimensions: in float32 for joint mixing, whose log-sum-exp merge needs
     * it; else in the queries' precision, as the dense read (under autocast bf16, where libtorch's
     * softmax accumulates in fp32 anyway, and every fp32 pass over the scores cost time).
     */
    private Tensor scores(Tensor q, Tensor k) {
        Tensor scores = Ops.matmul(q, k.to(q.scalar_type()).transpose(-2, -1));
        return joint ? scores.to(ScalarType.Float) : scores;
    }

    /** Softmax over the last dimension; from the log-sum-exp when joint mixing needed it anyway. */
    private static Tensor probabilities(Tensor scores, Tensor lse) {
        return lse == null ? scores.softmax(-1) : scores.sub(lse).exp();
    }
}
