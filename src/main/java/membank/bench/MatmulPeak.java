package membank.bench;

import membank.nn.NativeRuntime;

import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randn;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The machine's measured matmul throughput: the ceiling a training step is compared with. */
public final class MatmulPeak {
    private MatmulPeak() {
    }

    /** Best GFLOP/s of a square matmul of size n over a few repetitions. */
    public static double gflops(ScalarType type, int n, int repeats) {
        NativeRuntime.ensureConfigured();
        try (PointerScope scope = new PointerScope()) {
            Tensor a = randn(new long[] {n, n}).to(type);
            Tensor b = randn(new long[] {n, n}).to(type);
            matmul(a, b);
            double best = 0;
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                matmul(a, b);
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / seconds / 1e9);
            }
            return best;
        }
    }
}
