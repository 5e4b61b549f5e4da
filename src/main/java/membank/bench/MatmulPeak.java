package membank.bench;

import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Devices;
import membank.nn.NativeRuntime;
import membank.nn.Scope;

/** The machine's measured matmul throughput: the ceiling a training step is compared with. */
public final class MatmulPeak {
    private MatmulPeak() {
    }

    /** Seconds of matmuls before timing: the first ones ran at 75% of the rate reached after them. */
    private static final double WARMUP_SECONDS = 0.5;
    /** Timed seconds at least, over which the best repetition counts. */
    private static final double TIMED_SECONDS = 1.0;

    /** Best GFLOP/s of a square matmul of size n, over at least {@code repeats} repetitions after a warm-up. */
    public static double gflops(ScalarType type, int n, int repeats) {
        return gflops(type, n, repeats, Devices.cpu());
    }

    /**
     * As above on {@code device}; reading one element of the product back waits for a GPU's kernel to
     * end. The first matmuls of a process are slow (oneDNN generates its kernel, pages fault in, the
     * cores' clocks rise): best-of-5 from a cold start measured 1,274-1,316 GFLOP/s in bf16 on the
     * development machine, where the rate after half a second was 1,700-1,750, and a low peak
     * flatters every "% of peak" computed from it.
     */
    public static double gflops(ScalarType type, int n, int repeats, Device device) {
        NativeRuntime.ensureConfigured();
        try (Scope scope = Scope.tensors()) {
            Tensor a = randn(new long[] {n, n}).to(device, type);
            Tensor b = randn(new long[] {n, n}).to(device, type);
            long warmupEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
            do {
                product(a, b);
            } while (System.nanoTime() < warmupEnd);
            double best = 0;
            long timedEnd = System.nanoTime() + (long) (TIMED_SECONDS * 1e9);
            for (int r = 0; r < repeats || System.nanoTime() < timedEnd; r++) {
                long start = System.nanoTime();
                product(a, b);
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / seconds / 1e9);
            }
            return best;
        }
    }

    private static void product(Tensor a, Tensor b) {
        try (Scope each = Scope.tensors()) {
            matmul(a, b).view(-1).select(0, 0).item_double();
        }
    }
}
