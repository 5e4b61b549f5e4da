package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.Test;

import membank.bench.RandomBatches;
import membank.config.RunConfig;
import membank.model.MemoryLM;
import membank.nn.Precision;
import membank.data.TokenBatch;
import membank.data.TokenBatches;

class TrainerTest {

    private static RunConfig tiny(String... overrides) {
        return TrainingRunTest.tiny(overrides);
    }

    private static Trainer trainer(MemoryLM model, RunConfig run) {
        var t = run.training();
        return new Trainer(model, t, new RandomBatches(t.batchSize(), t.seqLen(), run.model().vocabSize(), 1), Precision.FP32);
    }

    @Test
    void nativeMemoryStaysFlat() {
        manual_seed(3);
        RunConfig run = tiny("training.batch_size=4", "training.seq_len=32");
        MemoryLM model = new MemoryLM(run.model());
        Trainer trainer = trainer(model, run);
        for (int step = 0; step < 60; step++) {
            trainer.step(step);
        }
        // a leaked activation of this model is ~100 KB a step, ~30 MB per 300 steps in every window;
        // memory the JIT or a late collection holds for a while shows in one window at most
        long least = Long.MAX_VALUE;
        int step = 60;
        for (int window = 0; window < 2; window++) {
            long before = nativeKb();
            for (int end = step + 300; step < end; step++) {
                trainer.step(step);
            }
            least = Math.min(least, nativeKb() - before);
        }
        assertTrue(least < 10_000, "memory malloc handed out grew by " + least + " KB or more in each of two 300-step windows");
    }

    @Test
    void nonFiniteStepsAreSkippedThenAbort() {
        manual_seed(4);
        RunConfig run = tiny("training.max_nonfinite=3");
        MemoryLM model = new MemoryLM(run.model());
        Trainer trainer = trainer(model, run);
        assertFalse(trainer.step(0).skipped());
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().get("model.norm.weight").fill_(new Scalar(Double.NaN));
        }
        var before = model.namedParameters().get("model.layers.0.mlp.up_proj.weight").clone();
        assertTrue(trainer.step(1).skipped());
        assertTrue(trainer.step(2).skipped());
        assertEquals(2, trainer.nonFiniteInARow());
        assertTrue(org.bytedeco.pytorch.global.torch.equal(before,
                model.namedParameters().get("model.layers.0.mlp.up_proj.weight")), "a skipped step changed weights");
        var e = assertThrows(NonFiniteLossException.class, () -> trainer.step(3));
        assertTrue(e.getMessage().contains("max_nonfinite"), e.getMessage());
    }

    @Test
    void learningRatesFollowTheParameterGroups() {
        RunConfig run = tiny("training.lr=1e-3", "training.bank_lr=5e-3", "training.memory_lr=2e-3",
                "training.warmup_steps=0", "training.schedule=constant");
        Trainer trainer = trainer(new MemoryLM(run.model()), run);
        trainer.step(0);
        assertEquals(5e-3, trainer.lr(ParamGroup.BANK), 1e-12);
        assertEquals(2e-3, trainer.lr(ParamGroup.MEMORY), 1e-12);
        assertEquals(1e-3, trainer.lr(ParamGroup.BASE), 1e-12);
    }

    @Test
    void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
        long[][] rows = new RandomBatches(8, 32, 300, 5).nextRows();
        long[][] first = java.util.Arrays.copyOfRange(rows, 0, 4);
        long[][] second = java.util.Arrays.copyOfRange(rows, 4, 8);
        // gradients, unclipped, are compared: AdamW's first update is nearly scale-invariant
        MemoryLM whole = stepOnce(tiny("training.batch_size=8", "training.seq_len=32", "training.grad_clip=0"),
                new long[][][] {rows});
        MemoryLM halves = stepOnce(tiny("training.batch_size=4", "training.seq_len=32", "training.grad_accum=2",
                "training.grad_clip=0"), new long[][][] {first, second});
        var other = halves.namedParameters();
        whole.namedParameters().forEach((name, t) -> {
            double diff = t.grad().sub(other.get(name).grad()).abs().max().item_double();
            assertTrue(diff < 1e-6, name + " gradient differs by " + diff);
        });
    }

    private static MemoryLM stepOnce(RunConfig run, long[][][] batches) {
        manual_seed(8);
        MemoryLM model = new MemoryLM(run.model());
        new Trainer(model, run.training(), new ListBatches(batches), Precision.FP32).step(0);
        return model;
    }

    /** Hands out the given batches in order. */
    private static final class ListBatches implements TokenBatches {
        private final long[][][] batches;
        private int position;

        ListBatches(long[][][] batches) {
            this.batches = batches;
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public TokenBatch next() {
            return TokenBatch.shifted(batches[position++]);
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void skip(long n) {
            position += (int) n;
        }
    }

    /**
     * Bytes glibc's malloc has handed out and not had back (mallinfo2's uordblks in every arena,
     * plus hblkhd for blocks it mapped on their own),
     * after a collection has released the native tensors of unreachable Java handles. Not the
     * resident size: the JVM grows its heap before it collects (12-22 MB over these 300 steps,
     * steadily, with a 4 GB maximum), and the allocator keeps freed memory, neither a leak.
     */
    private static long nativeKb() {
        System.gc();
        Malloc.Info.ByValue info = Malloc.C.mallinfo2();
        return (info.uordblks + info.hblkhd) / 1024;
    }

    /** glibc's mallinfo2 through JNA. */
    interface Malloc extends com.sun.jna.Library {
        Malloc C = com.sun.jna.Native.load("c", Malloc.class);

        Info.ByValue mallinfo2();

        @com.sun.jna.Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                "uordblks", "fordblks", "keepcost"})
        class Info extends com.sun.jna.Structure {
            public long arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;

            public static class ByValue extends Info implements com.sun.jna.Structure.ByValue {
            }
        }
    }

}
