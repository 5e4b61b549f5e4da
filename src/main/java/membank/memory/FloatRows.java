package membank.memory;

import org.bytedeco.pytorch.Tensor;

/** Bank rows held as a float tensor [N, w], with the basis B of a factorized bank or null. */
record FloatRows(Tensor rows, Tensor basis) implements BankRows {
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
        return rows.index_select(0, ids);
    }

    @Override
    public Tensor span(long first, long count) {
        return rows.narrow(0, first, count);
    }

    /** Whole chapters are a view of the rows: no index per row. */
    @Override
    public Tensor chapters(Tensor ids, long tokensPerChapter) {
        return rows.view(rows.size(0) / tokensPerChapter, tokensPerChapter, rows.size(1)).index_select(0, ids);
    }
}
