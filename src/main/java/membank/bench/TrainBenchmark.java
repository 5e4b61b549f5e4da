package membank.bench;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import org.bytedeco.pytorch.Device;

import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.model.Flops;
import membank.model.MemoryLM;
import membank.nn.Devices;
import membank.nn.Precision;
import membank.train.DataParallel;
import membank.train.Trainer;

/** Times full training steps (forward, backward, clipping, AdamW) of a configuration. */
public final class TrainBenchmark {
    public record Result(String label, Precision precision, double msPerStep, double tokensPerSecond, double gflops) {
    }

    private TrainBenchmark() {
    }

    public static Result run(String label, RunConfig run, Precision precision, int warmup, int steps) {
        return run(label, run, precision, warmup, steps, Devices.cpu());
    }

    /**
     * Times the steps on {@code device}. Each step reads its loss back to the host, which waits for
     * the device's queued kernels, so the wall time of a step is its compute on a GPU too.
     */
    public static Result run(String label, RunConfig run, Precision precision, int warmup, int steps, Device device) {
        manual_seed(0);
        TrainConfig t = run.training();
        MemoryLM model = new MemoryLM(run.model());
        // before the optimizer: its state is made on the parameters' device
        model.to(device, false);
        Trainer trainer = new Trainer(model, t, new RandomBatches(t.batchSize(), t.seqLen(), run.model().vocabSize(), 0),
                precision, DataParallel.single(device));
        for (int i = 0; i < warmup; i++) {
            trainer.step(i);
        }
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.step(warmup + i);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / steps;
        double tokens = (double) t.batchSize() * t.seqLen() * t.gradAccum();
        // each micro-batch is its own forward pass, projecting the bank again
        double flops = t.gradAccum() * Flops.trainStep(run.model(), t.batchSize(), t.seqLen());
        return new Result(label, precision, seconds * 1e3, tokens / seconds, flops / seconds / 1e9);
    }
}
