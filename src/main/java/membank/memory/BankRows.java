package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * A bank as memory layers read it: N rows of width w, each memory token being its row (dense and
 * reduced banks) or its row times Bᵀ (a factorized bank, whose rows are A). Readers ask only for
 * the rows they use, so a quantised bank dequantises what a routed read touches and nothing more,
 * and a factorized bank is never multiplied out: keys are {@code A (Wk B)ᵀ}.
 */
public interface BankRows {
    /** Number of memory tokens N. */
    long size();

    /** Width w of a row. */
    long width();

    /** Every row, [N, w]. */
    Tensor all();

    /** Rows {@code ids} (int64 [n]), [n, w]. */
    Tensor select(Tensor ids);

    /** {@code count} consecutive rows from {@code first}, [count, w]. */
    Tensor span(long first, long count);

    /** B [d, w] when a memory token is its row times Bᵀ (a factorized bank), else null. */
    default Tensor basis() {
        return null;
    }

    /** Rows of the chapters {@code ids} [U] of {@code tokensPerChapter} rows each, [U, T, w]. */
    default Tensor chapters(Tensor ids, long tokensPerChapter) {
        return select(rowsOf(ids, tokensPerChapter)).view(ids.size(0), tokensPerChapter, width());
    }

    /**
     * {@link #chapters} for reads that backward recomputes chunk by chunk ({@code nn.Recompute}):
     * where it can, the rows' gradient is added into their existing gradient in place, instead of
     * arriving as a new [N, w] tensor for every chunk.
     */
    default Tensor chaptersRecomputed(Tensor ids, long tokensPerChapter) {
        return chapters(ids, tokensPerChapter);
    }

    /** Row indices [U*T] of chapters {@code ids} [U]. */
    static Tensor rowsOf(Tensor ids, long tokensPerChapter) {
        return Ops.timesInteger(ids.unsqueeze(1), tokensPerChapter)
                .add(Ops.arange(0, tokensPerChapter, ids)).reshape(-1);
    }

    /** Float rows [N, w] that are the memory tokens themselves (a dense or reduced bank, or a test's). */
    static BankRows of(Tensor rows) {
        return new FloatRows(rows, null, false);
    }

    /** Float rows whose reads by index give a sparse gradient of the rows read (training.bank_update rows_read). */
    static BankRows sparselyTrained(Tensor rows) {
        return new FloatRows(rows, null, true);
    }

    /** A factorized bank M = A·Bᵀ: rows A [N, r], basis B [d, r]. */
    static BankRows factorized(Tensor a, Tensor b) {
        return new FloatRows(a, b, false);
    }
}
