package membank.train;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.config.TrainConfig;
import membank.model.ParameterRole;
import membank.nn.Ops;

/**
 * The row-sparse bank update against libtorch's AdamW, on a bank [6, 4] whose gradient is set
 * row by row: a loss {@code sum(p * c)} has gradient exactly {@code c}.
 */
class RowSparseAdamWTest {
    private static final String BANK = "model.memory.banks.0.weight";
    private static final long[] READ = {0, 2, 5};
    private static final long[] UNREAD = {1, 3, 4};

    private static TrainConfig config(String bankUpdate) {
        // bank decay on, so that a dense step visibly moves rows whose gradient is zero
        return TrainingRunTest.tiny("training.bank_weight_decay=0.1", "training.bank_lr=0.01",
                "training.bank_update=" + bankUpdate).training();
    }

    private static Tensor bank(long seed) {
        manual_seed(seed);
        return leaf(randn(new long[] {6, 4}));
    }

    /** Coefficients that are zero on {@code zeroRows}, random elsewhere (fixed seed per step). */
    private static Tensor gradient(int step, long... zeroRows) {
        manual_seed(100 + step);
        Tensor c = randn(new long[] {6, 4});
        for (long r : zeroRows) {
            c.select(0, r).zero_();
        }
        return c;
    }

    private static void step(GroupedAdamW opt, Tensor p, Tensor c) {
        opt.zeroGrad();
        p.mul(c).sum().backward();
        opt.setLrFactor(0.5);
        opt.step();
    }

    private static Tensor rows(Tensor t, long... rows) {
        return t.detach().index_select(0, Ops.longs(rows));
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    @Test
    void firstStepMatchesDenseAdamWOnReadRowsAndLeavesTheOthers() {
        Tensor dense = bank(1);
        Tensor sparse = bank(1);
        Tensor before = sparse.detach().clone();
        GroupedAdamW denseOpt = new GroupedAdamW(Map.of(BANK, dense), ParameterRole::of, config("dense"));
        GroupedAdamW sparseOpt = new GroupedAdamW(Map.of(BANK, sparse), ParameterRole::of, config("rows_read"));
        step(denseOpt, dense, gradient(0, UNREAD));
        step(sparseOpt, sparse, gradient(0, UNREAD));

        assertTrue(maxDiff(rows(dense, READ), rows(sparse, READ)) <= 1e-6, "read rows differ from dense AdamW");
        assertFalse(equal(rows(before, READ), rows(sparse, READ)), "read rows did not move");
        assertTrue(equal(rows(before, UNREAD), rows(sparse, UNREAD)), "unread rows moved");
        // the dense update decays the unread rows: what rows_read exists to avoid
        assertFalse(equal(rows(before, UNREAD), rows(dense, UNREAD)));
        assertEquals(0.01 * 0.5, sparseOpt.lr(ParamGroup.BANK), 1e-15);
    }

    /** Also with the rows updated two at a time, as a bank most of whose rows are read is. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {65536, 2})
    void rowsReadAtEveryStepFollowDenseAdamWAndUnreadStateStaysPut(long rowBlock) {
        Tensor sparse = bank(2);
        GroupedAdamW sparseOpt = new GroupedAdamW(Map.of(BANK, sparse), ParameterRole::of, config("rows_read"));
        RowSparseAdamW state = sparseOpt.bankRows();
        state.setRowBlock(rowBlock);
        // step 0 reads every row, so the unread rows carry non-zero moments from then on
        step(sparseOpt, sparse, gradient(0));
        Tensor frozen = rows(sparse, UNREAD).clone();
        Tensor m = rows(state.expAvg(BANK), UNREAD).clone();
        Tensor v = rows(state.expAvgSq(BANK), UNREAD).clone();
        assertTrue(m.abs().max().item_double() > 0, "the moments of step 0 are zero");

        // the reference: dense AdamW on the read rows alone, which have a gradient at every step
        Tensor reference = leaf(rows(bank(2), READ));
        GroupedAdamW denseOpt = new GroupedAdamW(Map.of(BANK, reference), ParameterRole::of, config("dense"));
        step(denseOpt, reference, rows(gradient(0), READ));
        for (int s = 1; s < 5; s++) {
            step(sparseOpt, sparse, gradient(s, UNREAD));
            step(denseOpt, reference, rows(gradient(s, UNREAD), READ));
        }
        assertEquals(5, state.stepCount());
        assertTrue(maxDiff(reference, rows(sparse, READ)) <= 1e-6, "read rows differ from dense AdamW");
        assertTrue(equal(frozen, rows(sparse, UNREAD)), "unread rows moved");
        assertTrue(equal(m, rows(state.expAvg(BANK), UNREAD)), "exp_avg of unread rows drifted");
        assertTrue(equal(v, rows(state.expAvgSq(BANK), UNREAD)), "exp_avg_sq of unread rows drifted");
    }

    @Test
    void aZeroGradientEverywhereMovesNothingButCountsTheStep() {
        Tensor sparse = bank(3);
        Tensor before = sparse.detach().clone();
        GroupedAdamW opt = new GroupedAdamW(Map.of(BANK, sparse), ParameterRole::of, config("rows_read"));
        step(opt, sparse, zeros(new long[] {6, 4}));
        assertTrue(sparse.grad().defined(), "the gradient is defined, and all zero");
        assertTrue(equal(before, sparse.detach()));
        assertEquals(1, opt.bankRows().stepCount());
        assertEquals(0.0, opt.bankRows().expAvgSq(BANK).abs().max().item_double());
    }

    /** {@code t} made a leaf that requires gradients; requires_grad_'s result does not own the tensor. */
    private static Tensor leaf(Tensor t) {
        t.set_requires_grad(true);
        return t;
    }
}
