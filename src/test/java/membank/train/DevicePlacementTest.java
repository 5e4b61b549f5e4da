package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.config.RunConfig;
import membank.nn.Devices;
import membank.nn.Precision;

/**
 * Every tensor a run trains with lives on its device: parameters, buffers, gradients and the
 * row-sparse bank's moments, after real steps of a routed model. Only the CPU can run here, so
 * this checks the walk and the plumbing's CPU path; on CUDA it is the check to run first
 * (docs/distributed.md). libtorch's AdamW makes its moments with zeros_like(parameter), on the
 * parameter's device by construction, and the binding exposes no accessor to walk them.
 */
class DevicePlacementTest {
    @TempDir
    Path tmp;

    @Test
    void everyTensorOfATrainingRunIsOnItsDevice() {
        RunConfig run = TrainingRunTest.tiny("membank.chapters={\"count\":8,\"top_k\":2,\"routing\":\"sequence\"}",
                "training.bank_update=rows_read", "training.steps=2", "training.eval_every=0", "training.data.entities=4");
        Device device = Devices.parse("cpu");
        TrainingRun training = TrainingRun.fresh(run, Corpus.open(run.training(), run.model()), tmp.resolve("run"),
                Precision.FP32, DataParallel.single(device)).quiet();
        training.trainUntil(2);
        List<String> elsewhere = new ArrayList<>();
        Map<String, Tensor> tensors = training.model().namedTensors();
        tensors.forEach((name, t) -> check(name, t, device, elsewhere));
        training.model().namedParameters().forEach((name, p) -> {
            if (p.grad().defined()) {
                check(name + ".grad", p.grad(), device, elsewhere);
            }
        });
        RowSparseAdamW bank = training.trainer().bankRows();
        assertTrue(bank != null, "the run has a row-sparse bank");
        tensors.keySet().stream().filter(name -> bank.expAvg(name) != null).forEach(name -> {
            check(name + " exp_avg", bank.expAvg(name), device, elsewhere);
            check(name + " exp_avg_sq", bank.expAvgSq(name), device, elsewhere);
        });
        assertEquals(List.of(), elsewhere, "tensors not on " + Devices.name(device));
    }

    @Test
    void cudaIsRefusedAtStartWithWhatToInstall() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Devices.parse("cuda"));
        assertTrue(e.getMessage().contains("mvn -Pgpu package") && e.getMessage().contains("NVIDIA"), e.getMessage());
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Devices.parse("tpu"));
        assertTrue(bad.getMessage().contains("expected cpu, cuda or cuda:N"), bad.getMessage());
    }

    private static void check(String name, Tensor t, Device device, List<String> elsewhere) {
        if (!Devices.name(t.device()).equals(Devices.name(device))) {
            elsewhere.add(name + " on " + Devices.name(t.device()));
        }
    }
}
