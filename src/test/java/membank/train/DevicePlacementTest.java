package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.config.RunConfig;
import membank.model.DecodeState;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.nn.Devices;
import membank.nn.Ops;
import membank.nn.Precision;

/**
 * Every tensor a run trains with lives on its device: parameters, buffers, gradients and the
 * optimizer's state (dense AdamW's moments and step counts, the row-sparse bank's moments), after
 * real steps of a routed model and again after a resume from its checkpoint; and every tensor a
 * decoding keeps. Only the CPU can run here, so this checks the walk ({@link TensorPlacement}) and
 * the plumbing's CPU path; on CUDA it is the check to run first (docs/distributed.md). That the walk
 * would see a stray tensor is checked with one on PyTorch's "meta" device.
 */
class DevicePlacementTest {
    private static final String ROUTED = "membank.chapters={\"count\":8,\"top_k\":2,\"routing\":\"sequence\"}";

    @TempDir
    Path tmp;

    @Test
    void everyTensorOfATrainingRunIsOnItsDeviceAlsoAfterAResume() {
        RunConfig run = TrainingRunTest.tiny(ROUTED, "training.bank_update=rows_read", "training.steps=3",
                "training.eval_every=0", "training.data.entities=4", "training.precision=fp32");
        Device device = Devices.parse("cpu");
        Path dir = tmp.resolve("run");
        TrainingRun training = TrainingRun.fresh(run, Corpus.open(run.training(), run.model()), dir, Precision.FP32,
                DataParallel.single(device)).quiet();
        training.trainUntil(2);
        Map<String, Tensor> walked = TensorPlacement.of(training);
        assertWalksEverything(walked);
        assertEquals(List.of(), TensorPlacement.misplaced(walked, device), "after 2 steps");

        // the moments are read back from the checkpoint into tensors made on the device
        TrainingRun resumed = TrainingRun.resume(dir, null, Precision.FP32, model -> { }, DataParallel.single(device)).quiet();
        assertEquals(List.of(), TensorPlacement.misplaced(TensorPlacement.of(resumed), device), "right after the resume");
        resumed.train();
        Map<String, Tensor> after = TensorPlacement.of(resumed);
        assertWalksEverything(after);
        assertEquals(List.of(), TensorPlacement.misplaced(after, device), "after a step of the resumed run");
    }

    /** The walk is not vacuous: weights, gradients and both optimizers' state are in it. */
    private static void assertWalksEverything(Map<String, Tensor> walked) {
        for (String part : new String[] {".grad", "optimizer ", ".exp_avg_sq", ".step", "(row-sparse)", "router"}) {
            assertTrue(walked.keySet().stream().anyMatch(k -> k.contains(part)), part + " in " + walked.keySet());
        }
    }

    @Test
    void everyTensorADecodingKeepsIsOnTheModelsDevice() {
        Device device = Devices.parse("cpu");
        for (String chapters : new String[] {"membank.chapters=null", ROUTED}) {
            MemoryLM model = new MemoryLM(TrainingRunTest.tiny(chapters).model());
            model.to(device, false);
            model.train(false);
            DecodeState state = model.newDecodeState(1, 16);
            try (NoGradGuard ignored = new NoGradGuard()) {
                model.hidden(Ops.longs(new long[] {1, 2, 3}).view(1, 3), ForwardPass.decoding(state));
                model.hidden(Ops.longs(new long[] {4}).view(1, 1), ForwardPass.decoding(state));
            }
            Map<String, Tensor> walked = TensorPlacement.of(state);
            assertTrue(walked.keySet().stream().anyMatch(k -> k.contains("kv cache")), walked.keySet().toString());
            assertTrue(walked.keySet().stream().anyMatch(k -> k.contains(chapters.endsWith("null") ? "bank keys" : "router sums")),
                    chapters + ": " + walked.keySet());
            assertEquals(List.of(), TensorPlacement.misplaced(walked, device), chapters);
        }
    }

    @Test
    void theWalkCatchesAStrayTensor() {
        MemoryLM model = new MemoryLM(TrainingRunTest.tiny().model());
        Tensor stray = torch.zeros(2).to(new Device("meta"), ScalarType.Float);
        model.register_buffer("stray", stray);
        List<String> misplaced = TensorPlacement.misplaced(TensorPlacement.of(model), Devices.cpu());
        assertEquals(List.of("stray on meta"), misplaced);
    }

    @Test
    void cudaIsRefusedAtStartWithWhatToInstall() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("cuda"));
        assertTrue(e.getMessage().contains("mvn -Pgpu package") && e.getMessage().contains("NVIDIA"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu"));
        assertTrue(bad.getMessage().contains("expected cpu, cuda or cuda:N"), bad.getMessage());
    }
}
