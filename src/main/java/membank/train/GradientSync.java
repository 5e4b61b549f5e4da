package membank.train;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;

/**
 * What a training step asks of the other ranks of a data-parallel run; one process needs none of
 * it ({@link #NONE}). Every rank makes the same calls in the same order, or the collectives behind
 * them would pair up wrongly.
 */
public interface GradientSync {
    /** A single process: nothing to exchange. */
    GradientSync NONE = new GradientSync() {
        @Override
        public void beforeBackward(Tensor loss, boolean reduce) {
        }

        @Override
        public double mean(double local) {
            return local;
        }

        @Override
        public Tensor mean(Tensor local) {
            return local;
        }
    };

    /**
     * Called just before {@code loss.backward()}; with {@code reduce} the gradients are averaged
     * over ranks as backward produces them, otherwise they only accumulate locally (all but the
     * last micro-batch of an accumulated step).
     */
    void beforeBackward(Tensor loss, boolean reduce);

    /** The mean of a per-rank number over all ranks. */
    double mean(double local);

    /** Timings of the exchange so far, for metrics.jsonl (nothing for one process). */
    default Map<String, Object> stats() {
        return Map.of();
    }

    /** The element-wise mean of a per-rank tensor (no gradient flows through it) over all ranks. */
    Tensor mean(Tensor local);
}
