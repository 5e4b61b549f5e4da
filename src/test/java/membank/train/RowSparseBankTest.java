package membank.train;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import membank.bench.RandomBatches;
import membank.config.RunConfig;
import membank.model.MemoryLM;
import membank.model.SafeTensors;
import membank.nn.Layers;
import membank.nn.Ops;
import membank.nn.Precision;

/**
 * training.bank_update = "rows_read" in the training loop: the tiny preset with a routed bank
 * (8 chapters of 32 rows, 2 read per sequence), so a small batch leaves most chapters unread.
 */
class RowSparseBankTest {
    private static final String BANK = "model.memory.banks.0.weight";
    private static final String CHAPTERS = "membank.chapters={\"count\":8,\"top_k\":2,\"routing\":\"sequence\"}";

    private static RunConfig routed(String bankUpdate, String... more) {
        String[] overrides = new String[more.length + 4];
        overrides[0] = CHAPTERS;
        overrides[1] = "training.bank_update=" + bankUpdate;
        overrides[2] = "training.bank_weight_decay=0.1";
        overrides[3] = "training.batch_size=1";
        System.arraycopy(more, 0, overrides, 4, more.length);
        return TrainingRunTest.tiny(overrides);
    }

    private static Trainer trainer(MemoryLM model, RunConfig run) {
        var t = run.training();
        return new Trainer(model, t, new RandomBatches(t.batchSize(), t.seqLen(), run.model().vocabSize(), 7), Precision.FP32);
    }

    /**
     * The memory layer's output projection starts at zero, which makes the bank's gradient zero at
     * the first step; a small random start gives the read rows a gradient from step 0.
     */
    private static MemoryLM model(RunConfig run) {
        manual_seed(11);
        MemoryLM model = new MemoryLM(run.model());
        manual_seed(12);
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (name.contains(".memory_attn.o_proj.")) {
                    p.copy_(Layers.normalInit(Ops.shape(p), Layers.INIT_STD));
                }
            });
        }
        return model;
    }

    /** Row indices whose gradient is not all zero, and the rest (a routed read's gradient is sparse). */
    private static Tensor[] readAndUnread(Tensor grad) {
        Tensor read = (grad.is_sparse() ? grad.to_dense() : grad).ne(new Scalar(0)).any(1);
        return new Tensor[] {read.nonzero().view(-1), read.logical_not().nonzero().view(-1)};
    }

    private static Tensor denseGrad(Tensor p) {
        return p.grad().is_sparse() ? p.grad().to_dense() : p.grad();
    }

    private static Tensor rows(Tensor t, Tensor index) {
        return t.detach().index_select(0, index);
    }

    @Test
    void oneStepMovesReadRowsAsDenseAdamWAndNothingElse() {
        RunConfig denseRun = routed("dense");
        RunConfig sparseRun = routed("rows_read");
        MemoryLM dense = model(denseRun);
        MemoryLM sparse = model(sparseRun);
        Tensor before = sparse.namedParameters().get(BANK).detach().clone();
        StepStats denseStats = trainer(dense, denseRun).step(0);
        StepStats sparseStats = trainer(sparse, sparseRun).step(0);

        assertTrue(sparse.namedParameters().get(BANK).grad().is_sparse(), "a routed read gives a sparse gradient of the rows read");
        Tensor[] split = readAndUnread(sparse.namedParameters().get(BANK).grad());
        long read = split[0].size(0);
        assertTrue(read > 0 && read < 256, read + " of 256 rows read: the test needs both kinds");
        Tensor after = sparse.namedParameters().get(BANK);
        Tensor denseBank = dense.namedParameters().get(BANK);
        double diff = rows(after, split[0]).sub(rows(denseBank, split[0])).abs().max().item_double();
        assertTrue(diff <= 1e-6, "read rows differ from dense AdamW by " + diff);
        assertFalse(equal(rows(before, split[0]), rows(after, split[0])), "read rows did not move");
        assertTrue(equal(rows(before, split[1]), rows(after, split[1])), "unread rows moved");
        assertFalse(equal(rows(before, split[1]), rows(denseBank, split[1])), "dense AdamW should decay unread rows");
        // clipping still counts the bank, and everything outside the bank takes the same update
        assertEquals(denseStats.gradNorm(), sparseStats.gradNorm());
        Map<String, Tensor> others = dense.namedParameters();
        sparse.namedParameters().forEach((name, p) -> {
            if (!name.equals(BANK)) {
                assertTrue(equal(p, others.get(name)), name + " differs between dense and rows_read");
            }
        });
    }

    @Test
    void unreadRowsKeepWeightsAndAdamStateOverSeveralSteps() {
        RunConfig run = routed("rows_read");
        MemoryLM model = model(run);
        Trainer trainer = trainer(model, run);
        RowSparseAdamW state = trainer.bankRows();
        Tensor bank = model.namedParameters().get(BANK);
        trainer.step(0);
        Tensor everRead = denseGrad(bank).ne(new Scalar(0)).any(1);
        for (int step = 1; step < 4; step++) {
            Tensor weights = bank.detach().clone();
            Tensor m = state.expAvg(BANK).clone();
            Tensor v = state.expAvgSq(BANK).clone();
            trainer.step(step);
            Tensor[] split = readAndUnread(bank.grad());
            assertTrue(split[1].size(0) > 0, "every row was read at step " + step);
            assertTrue(equal(rows(weights, split[1]), rows(bank, split[1])), "unread rows moved at step " + step);
            assertTrue(equal(rows(m, split[1]), rows(state.expAvg(BANK), split[1])), "exp_avg drifted at step " + step);
            assertTrue(equal(rows(v, split[1]), rows(state.expAvgSq(BANK), split[1])), "exp_avg_sq drifted at step " + step);
            everRead = everRead.logical_or(denseGrad(bank).ne(new Scalar(0)).any(1));
        }
        assertEquals(4, state.stepCount());
        // rows never read still hold the zero moments they started with
        Tensor never = everRead.logical_not().nonzero().view(-1);
        assertTrue(never.size(0) > 0, "every row was read in 4 steps: the test needs some that were not");
        assertEquals(0.0, rows(state.expAvgSq(BANK), never).abs().max().item_double());
    }

    @Test
    void aSkippedNonFiniteStepMovesNoBankRow() {
        RunConfig run = routed("rows_read");
        MemoryLM model = model(run);
        Trainer trainer = trainer(model, run);
        trainer.step(0);
        Tensor bank = model.namedParameters().get(BANK).detach().clone();
        Tensor m = trainer.bankRows().expAvg(BANK).clone();
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().get("model.norm.weight").fill_(new Scalar(Double.NaN));
        }
        assertTrue(trainer.step(1).skipped());
        assertTrue(equal(bank, model.namedParameters().get(BANK).detach()), "a skipped step moved the bank");
        assertTrue(equal(m, trainer.bankRows().expAvg(BANK)), "a skipped step changed exp_avg");
        assertEquals(1, trainer.bankRows().stepCount());
    }

    /** A quantised bank trains (and resumes) its float copy, which is what the row-sparse step moves. */
    @ParameterizedTest
    @ValueSource(strings = {"membank.bank=null", "membank.bank={\"quant\":\"int8\"}"})
    void resumeEqualsUninterruptedRun(String bank, @TempDir Path tmp) {
        RunConfig run = routed("rows_read", "training.steps=8", "training.eval_every=0", "training.save_every=4",
                "training.warmup_steps=2", "training.data.entities=8", bank);
        TrainingRunTest.assertSplitRunEqualsWhole(run, tmp);
        Path state = Path.of(TrainingRun.CHECKPOINTS, "step-0000008", TrainingRun.BANK_OPTIMIZER);
        Map<String, Tensor> a = SafeTensors.read(tmp.resolve("whole").resolve(state));
        Map<String, Tensor> b = SafeTensors.read(tmp.resolve("split").resolve(state));
        assertEquals(Map.of(RowSparseAdamW.STEP, "8"), Map.copyOf(SafeTensors.metadata(tmp.resolve("split").resolve(state))));
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey(BANK + ".exp_avg"), a.keySet().toString());
        assertTrue(a.get(BANK + ".exp_avg_sq").abs().max().item_double() > 0, "the bank never took a step");
        a.forEach((name, t) -> assertTrue(equal(t, b.get(name)), name + " differs after resume"));
    }

    @Test
    void aDenseRunWritesNoBankOptimizerFile(@TempDir Path tmp) {
        RunConfig run = routed("dense", "training.steps=1", "training.eval_every=0", "training.data.entities=4");
        TrainingRun.fresh(run, tmp, Precision.FP32).quiet().train();
        assertFalse(Files.exists(tmp.resolve(TrainingRun.CHECKPOINTS).resolve("step-0000001").resolve(TrainingRun.BANK_OPTIMIZER)));
    }
}
