package membank.memory;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import membank.nn.Ops;

/** The fused path and the reference read against spec section 1 written as plain loops over positions, heads and tokens. */
class MemoryAttentionTest {

    @ParameterizedTest
    @CsvSource({"4,4", "4,2", "4,1"})
    void equalsNaiveLoop(int heads, int kvHeads) {
        manual_seed(heads * 10L + kvHeads);
        int d = 16, dh = 8, n = 12, batch = 2, length = 5;
        MemoryAttention attention = Layers.attention(d, heads, kvHeads, dh);
        Map<String, Tensor> w = params(attention);
        try (NoGradGuard ignored = new NoGradGuard()) {
            w.get("o_proj.weight").normal_(0.0, 0.3, new org.bytedeco.pytorch.GeneratorOptional());
            Tensor x = randn(new long[] {batch, length, d});
            Tensor bank = randn(new long[] {n, d});
            double[][][] slow = naive(Ops.floats(x), Ops.floats(bank), w, batch, length, d, n, heads, kvHeads, dh);
            // the fused path, then the reference read of main
            for (ReadStrategy strategy : new ReadStrategy[] {ReadStrategy.AUTO, ReadStrategy.REFERENCE}) {
                attention.setReadStrategy(strategy);
                float[] read = Ops.floats(attention.forward(x, MemoryRead.of(bank)));
                double worst = 0;
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < length; t++) {
                        for (int j = 0; j < d; j++) {
                            worst = Math.max(worst, Math.abs(slow[b][t][j] - read[(b * length + t) * d + j]));
                        }
                    }
                }
                assertTrue(worst < 1e-5, strategy + ": max difference " + worst);
            }
        }
    }

    private static double[][][] naive(float[] x, float[] bank, Map<String, Tensor> w, int batch, int length,
                                      int d, int n, int heads, int kvHeads, int dh) {
        float[] wq = Ops.floats(w.get("q_proj.weight"));
        float[] wk = Ops.floats(w.get("k_proj.weight"));
        float[] wv = Ops.floats(w.get("v_proj.weight"));
        float[] wo = Ops.floats(w.get("o_proj.weight"));
        double[][] keys = project(bank, wk, n, d, kvHeads * dh);
        double[][] values = project(bank, wv, n, d, kvHeads * dh);
        double[][][] out = new double[batch][length][d];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                double[] xt = new double[d];
                for (int j = 0; j < d; j++) {
                    xt[j] = x[(b * length + t) * d + j];
                }
                double[] q = matVec(wq, xt, heads * dh, d);
                double[] o = new double[heads * dh];
                for (int h = 0; h < heads; h++) {
                    int g = h / (heads / kvHeads);
                    double[] scores = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int m = 0; m < n; m++) {
                        double s = 0;
                        for (int e = 0; e < dh; e++) {
                            s += q[h * dh + e] * keys[m][g * dh + e];
                        }
                        scores[m] = s / Math.sqrt(dh);
                        max = Math.max(max, scores[m]);
                    }
                    double sum = 0;
                    for (int m = 0; m < n; m++) {
                        scores[m] = Math.exp(scores[m] - max);
                        sum += scores[m];
                    }
                    for (int m = 0; m < n; m++) {
                        for (int e = 0; e < dh; e++) {
                            o[h * dh + e] += scores[m] / sum * values[m][g * dh + e];
                        }
                    }
                }
                out[b][t] = matVec(wo, o, d, heads * dh);
            }
        }
        return out;
    }

    private static double[][] project(float[] rows, float[] weight, int count, int in, int out) {
        double[][] result = new double[count][];
        for (int r = 0; r < count; r++) {
            double[] row = new double[in];
            for (int j = 0; j < in; j++) {
                row[j] = rows[r * in + j];
            }
            result[r] = matVec(weight, row, out, in);
        }
        return result;
    }

    /** weight is [out, in] row-major, as in a Linear layer. */
    private static double[] matVec(float[] weight, double[] v, int out, int in) {
        double[] result = new double[out];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                result[i] += weight[i * in + j] * v[j];
            }
        }
        return result;
    }

    private static Map<String, Tensor> params(MemoryAttention attention) {
        StringTensorDict dict = attention.named_parameters();
        Map<String, Tensor> out = new java.util.HashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            out.put(dict.get(i).key().getString(), dict.get(i).value());
        }
        return out;
    }
}
