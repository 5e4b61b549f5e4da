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

    /** Best GFLOP/s of a square matmul of size n over a few repetitions. */
    public static double gflops(ScalarType type, int n, int repeats) {
        return gflops(type, n, repeats, Devices.cpu());
    }

    /** As above on {@code device}; reading one element of the product back waits for a GPU's kernel to end. */
    public static double gflops(ScalarType type, int n, int repeats, Device device) {
        NativeRuntime.ensureConfigured();
        try (Scope scope = Scope.tensors()) {
            Tensor a = randn(new long[] {n, n}).to(device, type);
            Tensor b = randn(new long[] {n, n}).to(device, type);
            matmul(a, b).view(-1).select(0, 0).item_double();
            double best = 0;
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                matmul(a, b).view(-1).select(0, 0).item_double();
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / seconds / 1e9);
            }
            return best;
        }
    }
}
