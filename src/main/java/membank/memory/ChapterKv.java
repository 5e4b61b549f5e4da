package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * Where a routed read gets keys and values of chapters: projected from the bank on demand, only
 * for the chapters a batch touches (training), or sliced from K/V projected once (inference).
 */
abstract class ChapterKv {
    final long tokensPerChapter;

    private ChapterKv(long tokensPerChapter) {
        this.tokensPerChapter = tokensPerChapter;
    }

    /** Keys and values of chapters {@code ids} [U] (absolute chapter indices), each [U, Hkv, T, dh]. */
    abstract MemoryKv chapters(Tensor ids);

    /** Keys and values of {@code count} consecutive chapters from {@code first}, each [Hkv, count*T, dh]. */
    abstract MemoryKv span(long first, long count);

    /** True when the bank and projections are at hand, so a read may work in bank space. */
    boolean canReadBankSpace() {
        return false;
    }

    /** Width of the bank rows: d, or r for reduced and factorized banks. */
    long bankWidth() {
        throw new UnsupportedOperationException("no bank");
    }

    /** Bank rows of chapters {@code ids} [U], [U, T, w]. */
    Tensor bankChapters(Tensor ids) {
        throw new UnsupportedOperationException("no bank");
    }

    /** {@link #bankChapters} for a read that backward recomputes chunk by chunk. */
    Tensor bankChaptersRecomputed(Tensor ids) {
        throw new UnsupportedOperationException("no bank");
    }

    /** Queries [R, Hq, dh] moved into bank space through their kv head's Wk: [R, Hq, w]. */
    Tensor queriesToBankSpace(Tensor queries) {
        throw new UnsupportedOperationException("no bank");
    }

    /** Mixed bank-space outputs [B, L, Hq, w] through their kv head's Wv: [B, L, Hq, dh]. */
    Tensor valuesFromBankSpace(Tensor out) {
        throw new UnsupportedOperationException("no bank");
    }

    /**
     * Projects the chapters a read touches from the bank's rows; {@code wk} and {@code wv}
     * [Hkv*dh, w] apply to the rows as they are (for a factorized bank they already hold B).
     */
    static ChapterKv projecting(BankRows bank, Tensor wk, Tensor wv, long kvHeads, long headDim, long tokensPerChapter) {
        return new ChapterKv(tokensPerChapter) {
            @Override
            MemoryKv chapters(Tensor ids) {
                long count = ids.size(0);
                Tensor slice = bank.chapters(ids, tokensPerChapter).view(count * tokensPerChapter, -1);
                return new MemoryKv(perChapter(Ops.linear(slice, wk), count), perChapter(Ops.linear(slice, wv), count));
            }

            @Override
            boolean canReadBankSpace() {
                return true;
            }

            @Override
            long bankWidth() {
                return bank.width();
            }

            @Override
            Tensor bankChapters(Tensor ids) {
                return bank.chapters(ids, tokensPerChapter);
            }

            @Override
            Tensor bankChaptersRecomputed(Tensor ids) {
                return bank.chaptersRecomputed(ids, tokensPerChapter);
            }

            @Override
            Tensor queriesToBankSpace(Tensor queries) {
                return throughHeads(queries, wk.view(kvHeads, headDim, -1));
            }

            @Override
            Tensor valuesFromBankSpace(Tensor out) {
                long[] s = Ops.shape(out);
                return throughHeads(out.reshape(s[0] * s[1], s[2], s[3]), wv.view(kvHeads, headDim, -1).transpose(1, 2))
                        .view(s[0], s[1], s[2], -1);
            }

            /** rows [R, Hq, a] times the per-kv-head matrix [Hkv, a, b] of each query head: [R, Hq, b]. */
            private Tensor throughHeads(Tensor rows, Tensor perHead) {
                long[] s = Ops.shape(rows);
                long group = s[1] / kvHeads;
                Tensor byHead = rows.view(s[0], kvHeads, group, s[2]).permute(1, 0, 2, 3).reshape(kvHeads, s[0] * group, s[2]);
                Tensor moved = Ops.matmul(byHead, perHead.to(byHead.scalar_type()));
                return moved.view(kvHeads, s[0], group, -1).permute(1, 0, 2, 3).reshape(s[0], s[1], -1);
            }

            @Override
            MemoryKv span(long first, long count) {
                Tensor slice = bank.span(first * tokensPerChapter, count * tokensPerChapter);
                return new MemoryKv(heads(Ops.linear(slice, wk)), heads(Ops.linear(slice, wv)));
            }

            private Tensor perChapter(Tensor projected, long count) {
                return projected.view(count, tokensPerChapter, kvHeads, headDim).permute(0, 2, 1, 3);
            }

            private Tensor heads(Tensor projected) {
                return projected.view(projected.size(0), kvHeads, headDim).transpose(0, 1);
            }
        };
    }

    /** Slices of K/V [Hkv, N, dh] computed once for the whole bank. */
    static ChapterKv cached(MemoryKv all, long tokensPerChapter) {
        return new ChapterKv(tokensPerChapter) {
            @Override
            MemoryKv chapters(Tensor ids) {
                return new MemoryKv(select(all.keys(), ids), select(all.values(), ids));
            }

            @Override
            MemoryKv span(long first, long count) {
                return new MemoryKv(all.keys().narrow(1, first * tokensPerChapter, count * tokensPerChapter),
                        all.values().narrow(1, first * tokensPerChapter, count * tokensPerChapter));
            }

            private Tensor select(Tensor kv, Tensor ids) {
                long kvHeads = kv.size(0);
                return kv.view(kvHeads, kv.size(1) / tokensPerChapter, tokensPerChapter, kv.size(2))
                        .index_select(1, ids).permute(1, 0, 2, 3);
            }
        };
    }
}
