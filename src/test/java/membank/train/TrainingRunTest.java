package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import membank.config.Presets;
import membank.config.RunConfig;
import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.model.SafeTensors;
import membank.nn.Precision;
import membank.testing.SameTensors;

class TrainingRunTest {

    static RunConfig tiny(String... overrides) {
        return Presets.run("tiny", overrides);
    }

    /**
     * Trains {@code run} for its steps into tmp/whole, and to step 4 then resumed into tmp/split;
     * the two final models must be bit-identical.
     */
    static void assertSplitRunEqualsWhole(RunConfig run, Path tmp) {
        TrainingRun.fresh(run, tmp.resolve("whole"), Precision.FP32).quiet().train();
        TrainingRun.fresh(run, tmp.resolve("split"), Precision.FP32).quiet().trainUntil(4);
        TrainingRun.resume(tmp.resolve("split"), null, Precision.FP32).quiet().train();

        Map<String, Tensor> whole = Checkpoint.load(tmp.resolve("whole")).namedTensors();
        Map<String, Tensor> split = Checkpoint.load(tmp.resolve("split")).namedTensors();
        SameTensors.assertSame(whole, split, "after resume");
    }

    /** A quantised bank resumes from its float copy (the checkpoint's codes alone would round it). */
    @ParameterizedTest
    @ValueSource(strings = {"membank.bank=null", "membank.bank={\"quant\":\"int8\"}"})
    void resumeEqualsUninterruptedRun(String bank, @TempDir Path tmp) {
        RunConfig run = tiny("training.steps=8", "training.eval_every=0", "training.save_every=4",
                "training.warmup_steps=2", "training.data.entities=8", bank);
        assertSplitRunEqualsWhole(run, tmp);
        Path copies = Path.of(TrainingRun.CHECKPOINTS, "step-0000008", Checkpoint.BANK_COPIES);
        assertEquals(run.model().membank().bank().isQuantised(), Files.isRegularFile(tmp.resolve("whole").resolve(copies)));
        if (Files.isRegularFile(tmp.resolve("whole").resolve(copies))) {
            Map<String, Tensor> a = SafeTensors.read(tmp.resolve("whole").resolve(copies));
            Map<String, Tensor> b = SafeTensors.read(tmp.resolve("split").resolve(copies));
            a.forEach((name, t) -> assertTrue(org.bytedeco.pytorch.global.torch.equal(t, b.get(name)), name));
        }
    }

    @Test
    void refusesToOverwriteAnotherRun(@TempDir Path tmp) {
        RunConfig run = tiny("training.steps=1", "training.eval_every=0", "training.data.entities=4");
        TrainingRun.fresh(run, tmp, Precision.FP32).quiet().train();
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.fresh(run, tmp, Precision.FP32));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    @Test
    void trainingOnTheKnowledgeSetLowersLossAndRecallsFacts(@TempDir Path tmp) throws Exception {
        // twice the tiny preset's width, so that a few hundred steps memorise some of 8 people's facts
        RunConfig run = tiny("hidden_size=128", "intermediate_size=256", "training.steps=400", "training.eval_every=100",
                "training.data.entities=4", "training.lr=5e-3", "training.warmup_steps=20");
        RunSummary summary = TrainingRun.fresh(run, tmp, Precision.FP32).quiet().train();
        List<String> log = Files.readAllLines(tmp.resolve(TrainingRun.METRICS));
        double first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(log.get(0)).get("loss").asDouble();
        assertTrue(summary.trainLoss() < first - 1.0, "loss went from " + first + " to " + summary.trainLoss());
        assertTrue(summary.recall().accuracy() > summary.chanceRecall(),
                "recall " + summary.recall().accuracy() + " is not above chance " + summary.chanceRecall() + "; log: " + log);
        MemoryLM reloaded = Checkpoint.load(tmp);
        assertEquals(run.model(), reloaded.config());
    }
}
