package membank.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

class GeneratorTest {
    private static final long[] PROMPT = {5, 17, 3, 88, 41};
    private static MemoryLM model;

    @BeforeAll
    static void tinyModelWhoseMemoryMatters() {
        manual_seed(23);
        model = new MemoryLM(TestConfigs.withMemory("B", List.of(0, 1), "shared", 2));
        MemoryLMTest.randomiseOutputProjections(model);
        model.train(false);
    }

    @Test
    void greedyEqualsArgmaxOfTheFullForwardWithoutCache() {
        long[] generated = new Generator(model).generate(PROMPT, GenerationOptions.greedy(12), id -> { });
        assertArrayEquals(referenceGreedy(PROMPT, 12), generated);
    }

    /**
     * Routed memory through the generator's per-step memory scopes: the routers' running sums live
     * in the decode state across steps, and causal routing decides exactly as the full forward.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"prefix", "token"})
    void routedGreedyEqualsTheFullForward(String routing) {
        MemoryLM dense = model;
        try {
            manual_seed(29);
            model = new MemoryLM(TestConfigs.model("membank.layers=[0,1]", "membank.num_tokens=24",
                    "membank.num_kv_heads=2", "membank.router_losses=null", "membank.chapters={\"count\": 4, \"top_k\": 2,"
                    + " \"shared\": 1, \"routing\": \"" + routing + "\", \"mixing\": \"joint\"}"));
            MemoryLMTest.randomiseOutputProjections(model);
            try (NoGradGuard ignored = new NoGradGuard()) {
                // distinct router biases keep top-k away from ties that rounding could flip
                model.namedParameters().forEach((name, p) -> {
                    if (name.endsWith("router.bias")) {
                        p.normal_(0.0, 1.0, new org.bytedeco.pytorch.GeneratorOptional());
                    }
                });
            }
            model.train(false);
            long[] generated = new Generator(model).generate(PROMPT, GenerationOptions.greedy(12), id -> { });
            assertArrayEquals(referenceGreedy(PROMPT, 12), generated);
        } finally {
            model = dense;
        }
    }

    /** The obvious loop: the whole sequence through the model at every step, argmax of the last position. */
    private static long[] referenceGreedy(long[] prompt, int count) {
        long[] seq = Arrays.copyOf(prompt, prompt.length + count);
        try (NoGradGuard ignored = new NoGradGuard()) {
            for (int n = prompt.length; n < seq.length; n++) {
                Tensor logits = model.forward(Ops.longs(Arrays.copyOf(seq, n)).view(1, n));
                seq[n] = logits.select(1, n - 1).reshape(-1).argmax().item_long();
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    @Test
    void aSeedFixesTheSampleAndAnotherSeedChangesIt() {
        Generator g = new Generator(model);
        long[] a = g.generate(PROMPT, sampling(1), id -> { });
        long[] b = g.generate(PROMPT, sampling(1), id -> { });
        long[] c = g.generate(PROMPT, sampling(2), id -> { });
        assertEquals(20, a.length);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "seeds 1 and 2 sampled the same 20 tokens from a near-uniform model");
    }

    private static GenerationOptions sampling(long seed) {
        return new GenerationOptions(20, 1.0, 1.0, seed, OptionalLong.empty());
    }

    @Test
    void theStopIdEndsGenerationAndIsNotReturned() {
        Generator g = new Generator(model);
        long[] free = g.generate(PROMPT, GenerationOptions.greedy(10), id -> { });
        long stop = free[4];
        int firstStop = indexOf(free, stop);
        List<Long> streamed = new ArrayList<>();
        long[] stopped = g.generate(PROMPT, new GenerationOptions(10, 0, 1, 0, OptionalLong.of(stop)), streamed::add);
        assertArrayEquals(Arrays.copyOf(free, firstStop), stopped);
        assertEquals(firstStop, streamed.size(), "every returned token, and only those, reaches the callback");
    }

    private static int indexOf(long[] values, long v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        throw new AssertionError(v + " not found");
    }

    @Test
    void outputIsClampedToMaxPositionsAndAnOverlongPromptIsRefused() {
        int positions = model.config().maxPositionEmbeddings();
        long[] longPrompt = new long[positions - 3];
        Arrays.fill(longPrompt, 7);
        assertEquals(3, new Generator(model).generate(longPrompt, GenerationOptions.greedy(50), id -> { }).length);
        long[] full = new long[positions];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Generator(model).generate(full, GenerationOptions.greedy(1), id -> { }));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
    }

    @Test
    void idsBeyondTheVocabularyLimitAreNeverSampled() {
        long[] out = new Generator(model, 10).generate(PROMPT, new GenerationOptions(40, 2.0, 1.0, 5, OptionalLong.empty()), id -> { });
        assertTrue(Arrays.stream(out).allMatch(id -> id < 10), Arrays.toString(out));
    }

    @Test
    void nucleusKeepsTheSmallestMostProbableSetReachingTopP() {
        float[] probs = {0.05f, 0.4f, 0.3f, 0.2f, 0.05f};
        assertArrayEquals(new int[] {1}, Sampler.nucleus(probs, 0.01), "always at least one token");
        assertArrayEquals(new int[] {1, 2}, Sampler.nucleus(probs, 0.5));
        assertArrayEquals(new int[] {1, 2, 3}, Sampler.nucleus(probs, 0.75));
        assertEquals(5, Sampler.nucleus(probs, 1.0).length);
        assertArrayEquals(new int[] {2, 0}, Sampler.nucleus(new float[] {0.25f, 0.25f, 0.5f}, 0.6), "ties: lower index first");
    }

    @Test
    void samplingDrawsOnlyFromTheNucleusAndReachesAllOfIt() {
        float[] logits = {(float) Math.log(0.05), (float) Math.log(0.4), (float) Math.log(0.3),
                (float) Math.log(0.2), (float) Math.log(0.05)};
        Sampler sampler = new Sampler(1.0, 0.5, 42);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(sampler.next(logits));
        }
        assertEquals(Set.of(1, 2), seen);
    }

    @Test
    void temperatureZeroIsArgmaxAndSoftmaxSumsToOne() {
        float[] logits = {0.1f, 2.5f, -1f, 2.4f};
        assertEquals(1, new Sampler(0, 0.9, 0).next(logits));
        float[] p = Sampler.softmax(logits, 0.7);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
        assertTrue(p[1] > p[3] && p[3] > p[0] && p[0] > p[2]);
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new GenerationOptions(5, -1, 0.9, 0, OptionalLong.empty())).getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new GenerationOptions(5, 1, 0, 0, OptionalLong.empty())).getMessage().contains("top-p"));
    }
}
