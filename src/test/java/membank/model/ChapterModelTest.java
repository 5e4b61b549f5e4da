package membank.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import membank.config.ModelConfig;
import membank.config.RouterLossConfig;
import membank.memory.RoutingTrace;
import membank.memory.ReadStrategy;
import membank.nn.Ops;

/**
 * A {@link MemoryLM} whose memory layers read chapters (spec section 2): causality of each routing
 * mode, gradient reaching the router from the LM loss alone, incremental decoding, and the router
 * losses added by {@link MemoryLM#trainingLoss}.
 */
class ChapterModelTest {

    private static final int CHAPTERS = 4;   // 24 bank tokens: 6 per chapter
    private static final long VOCAB = 97;

    /** The tiny test model with chaptered memory on {@code layers} (variant A, one bank per layer). */
    private static ModelConfig config(String routing, String mixing, int topK, int shared, List<Integer> layers,
                                      RouterLossConfig losses) {
        String chapters = "{\"count\": " + CHAPTERS + ", \"top_k\": " + topK + ", \"shared\": " + shared
                + ", \"routing\": \"" + routing + "\", \"mixing\": \"" + mixing + "\"}";
        ModelConfig c = TestConfigs.model("membank.layers=" + layers, "membank.sharing=per_layer", "membank.num_tokens=24",
                "membank.num_kv_heads=2", "membank.chapters=" + chapters);
        return c.withMembank(c.membank().with(b -> b.routerLosses(losses)));
    }

    private static MemoryLM model(long seed, ModelConfig config) {
        manual_seed(seed);
        MemoryLM model = new MemoryLM(config);
        randomiseMemory(model);
        return model;
    }

    /**
     * Banks, memory projections and routers get weights large enough that memory visibly changes
     * the logits and routing differs between positions (at init o_proj is zero and the router near
     * uniform).
     */
    private static void randomiseMemory(MemoryLM model) {
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                double std = name.startsWith("model.memory.banks.") ? 1.0
                        : name.endsWith("memory_attn.o_proj.weight") ? 0.3
                        : name.contains("memory_attn.") && name.endsWith("_proj.weight") ? 0.3
                        : name.endsWith("memory_attn.router.weight") ? 0.5
                        : name.endsWith("memory_attn.router.bias") ? 1.0 : 0.0;
                if (std > 0) {
                    p.normal_(0.0, std, new org.bytedeco.pytorch.GeneratorOptional());
                }
            });
        }
    }

    private static Tensor tokens(long seed, long length) {
        manual_seed(seed);
        return randint(VOCAB, new long[] {2, length});
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    // ---------------------------------------------------------------- causality

    @ParameterizedTest(name = "{0} {1} k={2} S={3}")
    @CsvSource({"prefix,independent,2,0", "prefix,joint,2,1", "token,independent,2,1", "token,joint,2,0",
                "prefix,independent,1,0", "token,joint,1,1"})
    void causalRoutingKeepsEarlierLogitsWhenLaterTokensChange(String routing, String mixing, int topK, int shared) {
        MemoryLM model = model(21, config(routing, mixing, topK, shared, List.of(0, 1), null));
        Tensor ids = tokens(4, 10);
        int t = 4;
        Tensor changed = ids.clone();
        changed.narrow(1, t + 1, 10 - t - 1).copy_(randint(VOCAB, new long[] {2, 10 - t - 1}));
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor a = model.forward(ids);
            Tensor b = model.forward(changed);
            double before = maxDiff(a.narrow(1, 0, t + 1), b.narrow(1, 0, t + 1));
            assertTrue(before < 1e-5, routing + ": logits at positions <= " + t + " moved by " + before);
            assertTrue(maxDiff(a.narrow(1, t + 1, 10 - t - 1), b.narrow(1, t + 1, 10 - t - 1)) > 1e-3,
                    "later positions did not change at all");
        }
    }

    @ParameterizedTest
    @CsvSource({"independent,2,0", "joint,2,1", "joint,1,0"})
    void sequenceRoutingLeaksTheFutureIntoEarlierPositions(String mixing, int topK, int shared) {
        MemoryLM model = model(21, config("sequence", mixing, topK, shared, List.of(0, 1), null));
        Tensor ids = tokens(4, 10);
        int t = 4;
        Tensor changed = ids.clone();
        changed.narrow(1, t + 1, 10 - t - 1).copy_(randint(VOCAB, new long[] {2, 10 - t - 1}));
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor a = model.forward(ids);
            Tensor b = model.forward(changed);
            for (int p = 0; p <= t; p++) {
                double diff = maxDiff(a.narrow(1, p, 1), b.narrow(1, p, 1));
                assertTrue(diff > 1e-4, "sequence routing: position " + p + " did not see later tokens (" + diff + ")");
            }
        }
    }

    // ---------------------------------------------------------------- router gradient

    /** Every routing with both mixings, shared chapters on half of them. */
    static Stream<Arguments> everyRoutingAndMixing() {
        return Stream.of(Arguments.of("sequence", "independent", 0), Arguments.of("sequence", "joint", 1),
                Arguments.of("prefix", "independent", 1), Arguments.of("prefix", "joint", 0),
                Arguments.of("token", "independent", 0), Arguments.of("token", "joint", 1));
    }

    @ParameterizedTest(name = "{0} {1} S={2}")
    @MethodSource("everyRoutingAndMixing")
    void lmLossAloneTrainsTheRouter(String routing, String mixing, int shared) {
        MemoryLM model = model(31, config(routing, mixing, 2, shared, List.of(0, 1), null));
        Tensor ids = tokens(6, 9);
        model.loss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8)).backward();
        Map<String, Tensor> params = model.namedParameters();
        for (int layer : List.of(0, 1)) {
            for (String what : List.of("weight", "bias")) {
                String name = "model.layers." + layer + ".memory_attn.router." + what;
                Tensor grad = params.get(name).grad();
                assertNotNull(grad, name);
                assertTrue(grad.defined() && grad.abs().max().item_double() > 1e-7, name + " got no gradient");
            }
        }
        // The same through trainingLoss with zero coefficients: no router loss is added.
        MemoryLM zero = model(31, config(routing, mixing, 2, shared, List.of(0, 1), new RouterLossConfig(0.0, 0.0)));
        TrainingLoss loss = zero.trainingLoss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8));
        assertEquals(loss.lm().item_double(), loss.total().item_double(), 0.0);
        loss.total().backward();
        Tensor grad = zero.namedParameters().get("model.layers.1.memory_attn.router.weight").grad();
        assertTrue(grad.defined() && grad.abs().max().item_double() > 1e-7, "no router gradient via trainingLoss");
    }

    /** Spec: "a hard top-k alone gives it none" -- k = 1 with independent mixing has w = 1. */
    @Test
    void hardTopOneWithIndependentMixingGivesTheRouterNoGradient() {
        MemoryLM model = model(31, config("token", "independent", 1, 0, List.of(0, 1), null));
        Tensor ids = tokens(6, 9);
        model.loss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8)).backward();
        Map<String, Tensor> params = model.namedParameters();
        Tensor router = params.get("model.layers.0.memory_attn.router.weight").grad();
        double projection = params.get("model.layers.0.memory_attn.q_proj.weight").grad().abs().max().item_double();
        assertTrue(projection > 1e-5, "memory is not used at all");
        double routerGrad = router == null || !router.defined() ? 0.0 : router.abs().max().item_double();
        assertTrue(routerGrad < 1e-6, "router got gradient " + routerGrad + " through w = p/p");
    }

    // ---------------------------------------------------------------- the reference read

    /**
     * The whole model read by the fast paths equals it read by the reference loops of spec sections
     * 1-3 ({@link ReadStrategy#REFERENCE}): right-padded rows, and decoding token by token from
     * the decode state's cached K/V.
     */
    @ParameterizedTest(name = "{0} {1} S={2}")
    @MethodSource("everyRoutingAndMixing")
    void fastPathsEqualTheReferenceRead(String routing, String mixing, int shared) {
        MemoryLM model = model(61, config(routing, mixing, 2, shared, List.of(0, 1), null));
        Tensor ids = tokens(12, 7);
        Tensor valid = Ops.longs(new long[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
        int prompt = 4;
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor[] read = new Tensor[4];
            for (ReadStrategy strategy : new ReadStrategy[] {ReadStrategy.AUTO, ReadStrategy.REFERENCE}) {
                model.setReadStrategy(strategy);
                int i = strategy == ReadStrategy.AUTO ? 0 : 2;
                read[i] = model.forward(ids, ForwardPass.PLAIN.withValid(valid));
                DecodeState state = model.newDecodeState(2, 16);
                model.forward(ids.narrow(1, 0, prompt), ForwardPass.decoding(state));
                read[i + 1] = model.forward(ids.narrow(1, prompt, 3), ForwardPass.decoding(state));
            }
            assertClose("padded rows", read[2], read[0]);
            assertClose("decoding", read[3], read[1]);
        }
    }

    // ---------------------------------------------------------------- decoding

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"prefix,independent,1", "prefix,joint,0", "token,independent,0", "token,joint,1"})
    void incrementalDecodingEqualsFullForwardForCausalRouting(String routing, String mixing, int shared) {
        MemoryLM model = model(41, config(routing, mixing, 2, shared, List.of(0, 1), null));
        Tensor ids = tokens(8, 9);
        int prompt = 4;
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor full = model.forward(ids);
            DecodeState state = model.newDecodeState(2, 16);
            assertClose("prompt", full.narrow(1, 0, prompt), model.forward(ids.narrow(1, 0, prompt), ForwardPass.decoding(state)));
            for (int t = prompt; t < 9; t++) {
                assertClose("token " + t, full.narrow(1, t, 1), model.forward(ids.narrow(1, t, 1), ForwardPass.decoding(state)));
            }
            assertEquals(9, state.length());
        }
    }

    /**
     * Documents sequence routing at decode time: each new token is routed on the mean of the whole
     * sequence so far (prompt plus generated tokens, itself included), i.e. decoding step t gives
     * exactly what a full forward of tokens 0..t gives at its last position. Earlier positions are
     * never re-routed, so the logits differ from a full forward of the finished sequence, whose
     * router saw all of it. Memory sits on the last layer only, so no re-routed position feeds a
     * later layer's self-attention and the equality is exact.
     */
    @ParameterizedTest
    @CsvSource({"independent,0", "joint,1"})
    void sequenceRoutingDecodesOnTheMeanOfTheSequenceSoFar(String mixing, int shared) {
        MemoryLM model = model(43, config("sequence", mixing, 2, shared, List.of(1), null));
        int length = 9;
        Tensor ids = tokens(10, length);
        int prompt = 4;
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor full = model.forward(ids);
            DecodeState state = model.newDecodeState(2, 16);
            Tensor prefill = model.forward(ids.narrow(1, 0, prompt), ForwardPass.decoding(state));
            assertClose("prompt routed on its own mean", model.forward(ids.narrow(1, 0, prompt)), prefill);
            for (int t = prompt; t < length; t++) {
                Tensor step = model.forward(ids.narrow(1, t, 1), ForwardPass.decoding(state));
                Tensor soFar = model.forward(ids.narrow(1, 0, t + 1));
                assertClose("token " + t + " routed on the mean of 0.." + t, soFar.narrow(1, t, 1), step);
                if (t < length - 1) {
                    double diff = maxDiff(full.narrow(1, t, 1), step);
                    assertTrue(diff > 1e-4, "token " + t + " equals the full forward (" + diff
                            + "): it was routed on later tokens");
                }
            }
            // The last token has seen the whole sequence, like every position of the full forward.
            assertClose("last token", full.narrow(1, length - 1, 1), model.forward(ids.narrow(1, 0, length))
                    .narrow(1, length - 1, 1));
        }
    }

    // ---------------------------------------------------------------- training step

    @ParameterizedTest
    @CsvSource({"sequence,independent,0", "prefix,joint,1", "token,independent,1"})
    void trainingLossAddsWeightedRouterLossesAndReportsStatistics(String routing, String mixing, int shared) {
        double lb = 0.01, z = 0.001;
        MemoryLM model = model(51, config(routing, mixing, 2, shared, List.of(0, 1), new RouterLossConfig(lb, z)));
        Tensor ids = tokens(12, 9);
        TrainingLoss loss = model.trainingLoss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8));
        double total = loss.total().item_double();
        double lm = loss.lm().item_double();
        assertTrue(total > lm, "total " + total + " must exceed lm " + lm);
        RoutingTrace trace = loss.trace();
        assertEquals(2, trace.layers().size(), "one routing decision per memory layer");
        double expected = lb * trace.loadBalance().item_double() + z * trace.zLoss().item_double();
        assertEquals(expected, total - lm, 1e-5 + 1e-4 * expected);
        // The LM loss is the plain next-token loss.
        try (NoGradGuard ignored = new NoGradGuard()) {
            assertEquals(model.loss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8)).item_double(), lm, 1e-5);
        }

        Map<String, Object> metrics = trace.metrics();
        for (String key : List.of("router_entropy", "router_usage", "router_load_balance", "router_z")) {
            assertTrue(metrics.containsKey(key), key + " missing from " + metrics.keySet());
        }
        double entropy = ((Number) metrics.get("router_entropy")).doubleValue();
        int routed = CHAPTERS - shared;
        assertTrue(entropy > 0 && entropy <= Math.log(routed) + 1e-6, "entropy " + entropy);
        double[] usage = (double[]) metrics.get("router_usage");
        assertEquals(routed, usage.length);
        double sum = 0;
        for (double u : usage) {
            assertTrue(u >= 0 && u <= 1.0 / 2 + 1e-9, "usage " + u + " (k = 2: at most 1/k)");
            sum += u;
        }
        assertEquals(1.0, sum, 1e-6);
        assertEquals(trace.loadBalance().item_double(), ((Number) metrics.get("router_load_balance")).doubleValue(), 1e-9);

        // The router losses themselves train the router (load balance through P, z through the logits).
        loss.total().backward();
        Tensor grad = model.namedParameters().get("model.layers.0.memory_attn.router.bias").grad();
        assertTrue(grad.defined() && grad.abs().max().item_double() > 0);
    }

    @Test
    void routerLossesAloneReachTheRouter() {
        MemoryLM model = model(53, config("token", "independent", 1, 0, List.of(0), new RouterLossConfig(1.0, 1.0)));
        Tensor ids = tokens(14, 9);
        TrainingLoss loss = model.trainingLoss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8));
        // k = 1 independent: the LM loss gives the router nothing, so all of this comes from the router losses.
        loss.total().sub(loss.lm()).backward();
        Tensor grad = model.namedParameters().get("model.layers.0.memory_attn.router.weight").grad();
        assertTrue(grad.defined() && grad.abs().max().item_double() > 1e-6, "router losses gave no gradient");
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(Ops.shape(expected), Ops.shape(actual), what + ": shapes differ");
        double diff = maxDiff(expected, actual);
        assertTrue(diff < 1e-4, what + ": max difference " + diff);
    }
}
