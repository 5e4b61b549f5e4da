package membank.scratch;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.*;
import org.junit.jupiter.api.Test;
import membank.config.*;
import membank.model.*;
import membank.nn.*;

class SpeedScratchTest {
    @Test
    void speed() {
        ObjectNodeHolder h = new ObjectNodeHolder();
        RunConfig run = RunConfig.parse(Presets.load(System.getenv().getOrDefault("PRESET", "small")));
        MemoryLM model = new MemoryLM(run.model());
        System.err.println("threads " + get_num_threads() + " hidden " + run.model().hiddenSize() + " params " + ParameterRole.count(model));
        Tensor ids = randint(300L, new long[]{16, 129});
        AdamW opt = new AdamW(model.parameters(), new AdamWOptions(1e-3));
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                try (PointerScope s = new PointerScope()) {
                    Tensor loss = model.loss(ids.narrow(1, 0, 128), ids.narrow(1, 1, 128));
                    loss.backward();
                    opt.step();
                    opt.zero_grad();
                }
            }
            System.err.printf("step ms %.1f%n", (System.nanoTime() - t0) / 1e7);
            long t1 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    model.forward(ids);
                }
            }
            System.err.printf("fwd ms %.1f%n", (System.nanoTime() - t1) / 1e7);
        }
        if (true) return;
        set_num_threads(1);
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            try (PointerScope s = new PointerScope()) {
                Tensor loss = model.loss(ids.narrow(1, 0, 128), ids.narrow(1, 1, 128));
                loss.backward();
                opt.step();
                opt.zero_grad();
            }
        }
        System.err.printf("1 thread step ms %.1f%n", (System.nanoTime() - t0) / 1e7);
    }
    static class ObjectNodeHolder {}
}
