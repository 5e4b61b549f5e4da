package membank.memory;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import membank.config.ContextConfig;
import membank.nn.Ops;

/**
 * Reading context vectors (spec section 7) is dense memory attention (section 1, itself checked
 * against plain loops) over each row's own valid vectors, through the bank's or its own K/V.
 */
class ContextReadTest {

    @ParameterizedTest
    @CsvSource({"4,4,false", "4,2,false", "4,1,true", "4,2,true"})
    void equalsDenseReadOfEachRowsValidVectors(int heads, int kvHeads, boolean ownKv) {
        manual_seed(heads * 10L + kvHeads + (ownKv ? 100 : 0));
        int d = 16, dh = 8, n = 6, batch = 2, length = 5;
        MemoryAttention attention = withContext(d, heads, kvHeads, dh, ownKv);
        MemoryAttention dense = Layers.attention(d, heads, kvHeads, dh);
        Map<String, Tensor> w = params(attention);
        Map<String, Tensor> denseW = params(dense);
        try (NoGradGuard ignored = new NoGradGuard()) {
            w.get("o_proj.weight").normal_(0.0, 0.3, new org.bytedeco.pytorch.GeneratorOptional());
            String key = ownKv ? "context_k_proj.weight" : "k_proj.weight";
            String value = ownKv ? "context_v_proj.weight" : "v_proj.weight";
            denseW.get("q_proj.weight").copy_(w.get("q_proj.weight"));
            denseW.get("k_proj.weight").copy_(w.get(key));
            denseW.get("v_proj.weight").copy_(w.get(value));
            denseW.get("o_proj.weight").copy_(w.get("o_proj.weight"));

            Tensor x = randn(new long[] {batch, length, d});
            Tensor vectors = randn(new long[] {batch, n, d});
            // row 0 reads vectors 0..3, row 1 all six
            Tensor valid = Ops.onesBool(batch, n);
            valid.select(0, 0).narrow(0, 4, 2).fill_(Ops.scalar(0));
            float[] fast = Ops.floats(contextRead(attention, x, new ContextRead(vectors, valid, null)));
            float[] row0 = Ops.floats(dense.forward(x.narrow(0, 0, 1), MemoryRead.of(vectors.select(0, 0).narrow(0, 0, 4))));
            float[] row1 = Ops.floats(dense.forward(x.narrow(0, 1, 1), MemoryRead.of(vectors.select(0, 1))));
            float[] expected = new float[fast.length];
            System.arraycopy(row0, 0, expected, 0, row0.length);
            System.arraycopy(row1, 0, expected, row0.length, row1.length);
            assertArrayEquals(expected, fast, 1e-5f);

            // the recording path (explicit probabilities) reads the same, and its weights are a distribution
            ContextAttention sink = new ContextAttention(n);
            Tensor one = vectors.narrow(0, 1, 1);
            float[] recorded = Ops.floats(contextRead(attention, x.narrow(0, 1, 1), new ContextRead(one, null, sink)));
            float[] plain = Ops.floats(contextRead(attention, x.narrow(0, 1, 1), new ContextRead(one, null, null)));
            assertArrayEquals(plain, recorded, 1e-5f);
            double total = 0;
            for (float m : sink.means()) {
                assertTrue(m >= 0);
                total += m;
            }
            assertEquals(1.0, total, 1e-5);
        }
    }

    /** The reference read (spec section 7 as loops) equals the fast one, bank and padded context together. */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void theReferenceReadEqualsTheFastRead(boolean ownKv) {
        manual_seed(7);
        int d = 16;
        MemoryAttention attention = withContext(d, 4, 2, 8, ownKv);
        try (NoGradGuard ignored = new NoGradGuard()) {
            params(attention).get("o_proj.weight").normal_(0.0, 0.3, new org.bytedeco.pytorch.GeneratorOptional());
            Tensor x = randn(new long[] {2, 3, d});
            Tensor valid = Ops.onesBool(2, 4);
            valid.select(0, 1).narrow(0, 3, 1).fill_(Ops.scalar(0));
            MemoryRead read = MemoryRead.of(randn(new long[] {5, d}))
                    .withContext(new ContextRead(randn(new long[] {2, 4, d}), valid, null));
            float[] fast = Ops.floats(attention.forward(x, read));
            attention.setReadStrategy(ReadStrategy.REFERENCE);
            assertArrayEquals(fast, Ops.floats(attention.forward(x, read)), 1e-5f);
        }
    }

    /** Dense memory attention whose context vectors are read through its own K/V or its own projections. */
    private static MemoryAttention withContext(int d, int heads, int kvHeads, int dh, boolean ownKv) {
        ContextConfig context = ContextConfig.defaults().toBuilder().kv(ownKv ? ContextConfig.Kv.OWN : ContextConfig.Kv.SHARED).build();
        return Layers.attention(d, heads, kvHeads, dh, null, b -> b.context(context));
    }

    /** The context's share of a read: the read of a bank and the context less that of the bank alone (W_o is linear). */
    private static Tensor contextRead(MemoryAttention attention, Tensor x, ContextRead context) {
        MemoryRead bank = MemoryRead.of(randn(new long[] {3, x.size(2)}));
        return attention.forward(x, bank.withContext(context)).sub(attention.forward(x, bank));
    }

    private static Map<String, Tensor> params(MemoryAttention attention) {
        StringTensorDict dict = attention.named_parameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            out.put(dict.get(i).key().getString(), dict.get(i).value());
        }
        return out;
    }
}
