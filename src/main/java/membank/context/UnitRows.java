package membank.context;

import java.util.function.Supplier;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/** Cosine similarity as dot products of unit vectors, and tensors that outlive the caller's scope. */
final class UnitRows {
    /** Below this norm a row counts as zero: it stays zero instead of becoming NaN. */
    private static final double TINY = 1e-12;

    private UnitRows() {
    }

    /** 1 / |row| for each row of [n, d] (0 for zero rows), as [n]. */
    static Tensor inverseNorms(Tensor rows) {
        // out of place: an in-place op returns a reference that does not own the tensor, and its owner
        // here would be an unreachable temporary
        Tensor norms = rows.mul(rows).sum(new long[] {1}, false, new ScalarTypeOptional()).sqrt();
        return norms.clamp_min(Ops.scalar(TINY)).reciprocal().mul(norms.gt(Ops.scalar(TINY)));
    }

    /** The rows of [n, d] scaled to unit length (zero rows stay zero). */
    static Tensor of(Tensor rows) {
        return rows.mul(inverseNorms(rows).unsqueeze(1));
    }

    /** A query [d] scaled to unit length. */
    static Tensor query(Tensor query) {
        return of(query.unsqueeze(0)).squeeze(0);
    }
}
