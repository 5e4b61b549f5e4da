package membank.context;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import membank.nn.Scope;

/**
 * One cluster's unit rows, contiguous, with the bank row number of each: a query reads a cluster
 * with one matrix-vector product. Storage grows in place by doubling and outlives callers' scopes.
 */
final class Cluster implements AutoCloseable {
    private final Tensor vectors;
    private final Tensor rows;
    private int size;

    Cluster(long dim, int capacity) {
        long c = Math.max(4, capacity);
        this.vectors = Scope.kept(() -> torch.empty(c, dim));
        this.rows = Scope.kept(() -> torch.empty(new long[] {c}, new TensorOptions(ScalarType.Long),
                new org.bytedeco.pytorch.MemoryFormatOptional()));
    }

    /** A cluster holding {@code unitRows} [m, d] of bank rows {@code bankRows} [m] (int64), with room to grow. */
    static Cluster of(Tensor unitRows, Tensor bankRows) {
        int m = Math.toIntExact(unitRows.size(0));
        Cluster c = new Cluster(unitRows.size(1), m + m / 4 + 4);
        c.append(unitRows, bankRows);
        return c;
    }

    int size() {
        return size;
    }

    /** The unit rows, [size, d]: a view valid until the cluster next grows. */
    Tensor vectors() {
        return vectors.narrow(0, 0, size);
    }

    /** The bank row of each vector, int64 [size]. */
    Tensor rows() {
        return rows.narrow(0, 0, size);
    }

    void append(Tensor unitRows, Tensor bankRows) {
        int m = Math.toIntExact(unitRows.size(0));
        long capacity = vectors.size(0);
        try (Scope scope = Scope.inference()) {
            if (size + m > capacity) {
                long grown = Math.max(size + m, capacity * 2);
                // resize_ keeps the leading elements, so the first rows keep their values
                vectors.resize_(new long[] {grown, vectors.size(1)});
                rows.resize_(new long[] {grown});
            }
            vectors.narrow(0, size, m).copy_(unitRows);
            rows.narrow(0, size, m).copy_(bankRows);
        }
        size += m;
    }

    @Override
    public void close() {
        vectors.close();
        rows.close();
    }
}
