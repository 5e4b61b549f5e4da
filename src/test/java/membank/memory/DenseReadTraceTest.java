package membank.memory;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import membank.nn.Ops;

/**
 * What a dense read records for sparse memory finetuning: per position and query head, the k rows
 * of highest attention weight, checked against scores computed in plain loops.
 */
class DenseReadTraceTest {

    @ParameterizedTest
    @CsvSource({"4,2,3", "4,1,1", "2,2,12"})
    void recordsTheTopKRowsOfEachPositionAndHead(int heads, int kvHeads, int k) {
        manual_seed(heads * 100L + kvHeads * 10 + k);
        int d = 16, dh = 8, n = 12, batch = 2, length = 3;
        MemoryAttention attention = Layers.attention(d, heads, kvHeads, dh);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor x = randn(new long[] {batch, length, d});
            Tensor bank = randn(new long[] {n, d});
            RoutingTrace trace = RoutingTrace.withDenseReads(k);
            Tensor traced = attention.forward(x, MemoryRead.of(bank).withTrace(trace, 5));
            assertTrue(equal(attention.forward(x, MemoryRead.of(bank)), traced), "recording must not change the read");
            assertEquals(1, trace.denseReads().size());
            RoutingTrace.DenseRead read = trace.denseReads().get(0);
            assertEquals(5, read.layer());
            assertArrayEquals(new long[] {batch, length, heads, k}, Ops.shape(read.rows()));
            long[] rows = Ops.toLongs(read.rows());
            float[] q = Ops.floats(x);
            double[][] keys = keys(attention, bank, n, d, kvHeads * dh);
            float[] wq = Ops.floats(weight(attention, "q_proj.weight"));
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < length; t++) {
                    double[] query = matVec(wq, Arrays.copyOfRange(q, (b * length + t) * d, (b * length + t + 1) * d), heads * dh, d);
                    for (int h = 0; h < heads; h++) {
                        long[] expected = topK(query, keys, h, heads / kvHeads, dh, k);
                        int at = ((b * length + t) * heads + h) * k;
                        long[] actual = Arrays.copyOfRange(rows, at, at + k);
                        Arrays.sort(actual);
                        assertArrayEquals(expected, actual, "sequence " + b + ", position " + t + ", head " + h);
                    }
                }
            }
        }
    }

    private static long[] topK(double[] query, double[][] keys, int head, int group, int dh, int k) {
        int kv = head / group;
        double[] scores = new double[keys.length];
        for (int m = 0; m < keys.length; m++) {
            for (int e = 0; e < dh; e++) {
                scores[m] += query[head * dh + e] * keys[m][kv * dh + e];
            }
        }
        return IntStream.range(0, keys.length).boxed().sorted(Comparator.comparingDouble(m -> -scores[m])).limit(k)
                .mapToLong(Integer::longValue).sorted().toArray();
    }

    private static double[][] keys(MemoryAttention attention, Tensor bank, int n, int d, int width) {
        float[] wk = Ops.floats(weight(attention, "k_proj.weight"));
        float[] m = Ops.floats(bank);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = matVec(wk, Arrays.copyOfRange(m, i * d, (i + 1) * d), width, d);
        }
        return out;
    }

    private static double[] matVec(float[] w, float[] x, int rows, int cols) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r] += w[r * cols + c] * (double) x[c];
            }
        }
        return out;
    }

    private static Tensor weight(MemoryAttention attention, String name) {
        StringTensorDict dict = attention.named_parameters();
        for (long i = 0; i < dict.size(); i++) {
            if (dict.get(i).key().getString().equals(name)) {
                return dict.get(i).value();
            }
        }
        throw new IllegalArgumentException(name);
    }
}
