package membank.context;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

import membank.config.ModelConfig;
import membank.memory.ContextLatents;
import membank.memory.ContextRead;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.model.TestConfigs;
import membank.nn.Ops;

/** The context encoder and decoder inside a model (spec section 7). */
class ContextModelTest {

    static ModelConfig withContext(int ratio, String kv) {
        return TestConfigs.model("membank.layers=[0,1]", "membank.num_tokens=24", "membank.num_kv_heads=2",
                "membank.context={\"ratio\": " + ratio + ", \"kv\": \"" + kv + "\", \"read_limit\": 64}");
    }

    @Test
    void segmentsBecomeOneLatentPerWindow() {
        manual_seed(1);
        MemoryLM model = new MemoryLM(withContext(4, "shared"));
        Tensor ids = randint(97, new long[] {2, 10});
        Tensor valid = Ops.longs(new long[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0}});
        try (NoGradGuard ignored = new NoGradGuard()) {
            ContextLatents latents = model.compress(ids, valid);
            assertArrayEquals(new long[] {2, 3, 32}, Ops.shape(latents.mean()));
            assertArrayEquals(new long[] {2, 3, 32}, Ops.shape(latents.logvar()));
            assertArrayEquals(new long[] {2, 12, 64}, Ops.shape(latents.target()));
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, Ops.toLongs(latents.valid().to(org.bytedeco.pytorch.global.torch.ScalarType.Long)));
            // the encoder reads unit-RMS halves: mean(x^2) is 1 on every real row of each half
            float[] reading = Ops.floats(model.readingOf(ids, valid).select(0, 0).select(0, 3));
            assertEquals(1.0, meanSquare(reading, 0, 32), 5e-3);
            assertEquals(1.0, meanSquare(reading, 32, 64), 5e-3);
            // the latent of a window only sees its own window: changing a token in window 2 leaves window 0's mean
            Tensor changed = ids.clone();
            changed.select(0, 0).select(0, 9).fill_(Ops.integer((Ops.toLongs(ids)[9] + 1) % 97));
            ContextLatents other = model.compress(changed, valid);
            // (layer 0's self-attention is causal, so window 0's positions 0..3 are unchanged)
            assertArrayEquals(Ops.floats(latents.mean().select(0, 0).select(0, 0)),
                    Ops.floats(other.mean().select(0, 0).select(0, 0)), 1e-6f);
            assertFalse(java.util.Arrays.equals(Ops.floats(latents.mean().select(0, 0).select(0, 2)),
                    Ops.floats(other.mean().select(0, 0).select(0, 2))));
        }
    }

    @Test
    void reconstructionLossFallsOnATinyRun() {
        manual_seed(2);
        MemoryLM model = new MemoryLM(withContext(4, "shared"));
        TensorVector params = new TensorVector();
        model.namedParameters().forEach((name, p) -> {
            if (name.startsWith("model.context_")) {
                params.push_back(p);
            }
        });
        AdamW optimizer = new AdamW(params, new AdamWOptions(1e-2));
        Tensor ids = randint(97, new long[] {4, 16});
        double first = 0, last = 0;
        for (int step = 0; step < 100; step++) {
            try (PointerScope scope = new PointerScope()) {
                optimizer.zero_grad();
                ContextLatents latents = model.compress(ids, null);
                Tensor loss = model.contextLoss(latents, latents.sample());
                loss.backward();
                optimizer.step();
                double value = loss.item_double();
                if (step == 0) {
                    first = value;
                }
                last = value;
            }
        }
        assertTrue(last < 0.75 * first, "reconstruction + beta KL went from " + first + " to " + last);
    }

    @Test
    void contextChangesTheOutputOnceTheOutputProjectionLearnsAndDecodingReadsItToo() {
        manual_seed(3);
        MemoryLM model = new MemoryLM(withContext(4, "own"));
        model.train(false);
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (name.endsWith("memory_attn.o_proj.weight")) {
                    p.normal_(0.0, 0.2, new org.bytedeco.pytorch.GeneratorOptional());
                }
            });
            Tensor ids = randint(97, new long[] {1, 6});
            ContextRead context = new ContextRead(model.compress(randint(97, new long[] {1, 12}), null).mean(), null, null);
            float[] without = Ops.floats(model.forward(ids));
            float[] with = Ops.floats(model.forward(ids, ForwardPass.PLAIN.withContext(context)));
            assertFalse(java.util.Arrays.equals(without, with));

            var state = model.newDecodeState(1, 6, context);
            float[] prefix = Ops.floats(model.forward(ids.narrow(1, 0, 4), ForwardPass.decoding(state)));
            float[] rest = Ops.floats(model.forward(ids.narrow(1, 4, 2), ForwardPass.decoding(state)));
            float[] stepwise = new float[with.length];
            System.arraycopy(prefix, 0, stepwise, 0, prefix.length);
            System.arraycopy(rest, 0, stepwise, prefix.length, rest.length);
            assertArrayEquals(with, stepwise, 1e-4f);
        }
    }

    @Test
    void aModelWithoutEncoderSaysHowToGetOne() {
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("A", List.of(0, 1), "shared", 2));
        var e = assertThrows(IllegalStateException.class, () -> model.compress(randint(97, new long[] {1, 4}), null));
        assertTrue(e.getMessage().contains("membank.context"), e.getMessage());
    }

    private static double meanSquare(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i] * v[i];
        }
        return s / (to - from);
    }
}
