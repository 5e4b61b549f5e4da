package membank.memory;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Bank rows held as a float tensor [N, w], with the basis B of a factorized bank or null. With
 * {@code sparseGradients}, rows read by index reach backward as a sparse gradient of only those
 * rows (an embedding lookup), so a step's cost does not grow with N; reading all rows stays dense.
 */
record FloatRows(Tensor rows, Tensor basis, boolean sparseGradients) implements BankRows {
    @Override
    public long size() {
        return rows.size(0);
    }

    @Override
    public long width() {
        return rows.size(1);
    }

    @Override
    public Tensor all() {
        return rows;
    }

    @Override
    public Tensor select(Tensor ids) {
        return sparseGradients ? Ops.sparseGradRows(rows, ids) : rows.index_select(0, ids);
    }

    @Override
    public Tensor span(long first, long count) {
        return rows.narrow(0, first, count);
    }

    /** Whole chapters are a view of the rows: no index per row (unless the gradient must be sparse). */
    @Override
    public Tensor chapters(Tensor ids, long tokensPerChapter) {
        if (sparseGradients) {
            return BankRows.super.chapters(ids, tokensPerChapter);
        }
        return rows.view(rows.size(0) / tokensPerChapter, tokensPerChapter, rows.size(1)).index_select(0, ids);
    }

    /**
     * A dense gradient is made before the first chunk (zeros, or the sparse gradient so far made
     * dense), and each chunk reads through a sparse lookup, whose gradient libtorch adds into a
     * dense one in place. Appending the chunks' sparse gradients instead (rows_read) would hold
     * several times the bank: a per-position read of a large bank gathers most of its rows more
     * than once. The row-sparse update then moves the rows whose gradient is not zero.
     */
    @Override
    public Tensor chaptersRecomputed(Tensor ids, long tokensPerChapter) {
        if (!Scope.recordsGraph() || !rows.requires_grad()) {
            return chapters(ids, tokensPerChapter);
        }
        Tensor grad = rows.grad();
        if (!grad.defined() || grad.is_sparse()) {
            try (Scope ignored = Scope.noGrad()) {
                rows.mutable_grad().put(grad.defined() ? grad.to_dense() : Ops.zerosLike(rows));
            }
        }
        return Ops.sparseGradRows(rows, BankRows.rowsOf(ids, tokensPerChapter))
                .view(ids.size(0), tokensPerChapter, rows.size(1));
    }
}
