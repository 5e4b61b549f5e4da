package membank.bench;

import static org.bytedeco.pytorch.global.torch.*;


import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;


import membank.config.Presets;
import membank.config.RunConfig;
import membank.model.Flops;
import membank.model.MemoryLM;
import membank.nn.Ops;
import membank.nn.Precision;

/**
 * Hand-run profiler (not a test): forward / backward / optimizer split of a training step.
 * java ... membank.bench.StepScratch PRESET PRECISION memory|nomem STEPS
 */
public final class StepScratch {
    public static void main(String[] args) {
        String preset = args.length > 0 ? args[0] : "small";
        Precision p = Precision.resolve(args.length > 1 ? args[1] : "bf16");
        boolean memory = args.length > 2 && args[2].equals("memory");
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        RunConfig run = memory ? Presets.run(preset) : Presets.run(preset, "membank=null");
        manual_seed(0);
        MemoryLM model = new MemoryLM(run.model());
        AdamW opt = new AdamW(model.parameters(), new AdamWOptions(1e-3));
        var t = run.training();
        RandomBatches data = new RandomBatches(t.batchSize(), t.seqLen(), run.model().vocabSize(), 0);
        double f = 0, b = 0, o = 0;
        for (int i = 0; i < steps + 1; i++) {
            try (PointerScope scope = new PointerScope()) {
                long t0 = System.nanoTime();
                Tensor batch = Ops.longs(data.nextRows());
                long length = batch.size(1) - 1;
                Tensor loss;
                try (var ignored = p.autocast()) {
                    loss = model.loss(batch.narrow(1, 0, length), batch.narrow(1, 1, length));
                }
                loss.item_double();
                long t1 = System.nanoTime();
                loss.backward();
                long t2 = System.nanoTime();
                clip_grad_norm_(model.parameters(), 1.0);
                opt.step();
                opt.zero_grad();
                long t3 = System.nanoTime();
                if (i > 0) {
                    f += (t1 - t0) / 1e6; b += (t2 - t1) / 1e6; o += (t3 - t2) / 1e6;
                }
            }
        }
        double total = (f + b + o) / steps;
        double gf = Flops.trainStep(run.model(), t.batchSize(), t.seqLen()) / (total / 1e3) / 1e9;
        System.out.printf("%s %s %s: fwd %.1f bwd %.1f opt %.1f total %.1f ms  %.1f GFLOP/s%n", preset, p.label(),
                memory ? "memory" : "nomem", f / steps, b / steps, o / steps, total, gf);
    }
}
