package membank.memory;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import membank.config.ChapterConfig;
import membank.config.ChapterConfig.Mixing;
import membank.config.RoutingMode;
import membank.nn.Ops;

/**
 * The fast routed read of {@link MemoryAttention} (grouped chapters, exact log-sum-exp merge)
 * against the slow loop reference {@link ChapterReference}: values and gradients for every
 * routing mode and mixing, the inference path with cached K/V, the identities of spec section 2
 * with dense memory attention, and the router losses of {@link RoutingTrace}.
 */
class RoutedReadTest {

    private static final int D = 16, DH = 4, N = 24, C = 4, T = N / C, BATCH = 2, LENGTH = 5;
    private static final double TOLERANCE = 1e-4;
    private static final List<String> PARAMETERS = List.of("q_proj.weight", "k_proj.weight", "v_proj.weight",
            "o_proj.weight", "router.weight", "router.bias");

    /** A chaptered memory layer with random weights, and random inputs for it. */
    private static final class Setup {
        final ChapterConfig chapters;
        final MemoryAttention attention;
        final Map<String, Tensor> params;
        final Tensor x, bank, probe;
        final int heads, kvHeads;

        Setup(long seed, int heads, int kvHeads, ChapterConfig chapters, double routerBiasScale) {
            manual_seed(seed);
            this.chapters = chapters;
            this.heads = heads;
            this.kvHeads = kvHeads;
            attention = Layers.attention(D, heads, kvHeads, DH, chapters);
            params = params(attention);
            try (NoGradGuard ignored = new NoGradGuard()) {
                for (String name : List.of("q_proj.weight", "k_proj.weight", "v_proj.weight")) {
                    params.get(name).normal_(0.0, 0.4, new org.bytedeco.pytorch.GeneratorOptional());
                }
                // o_proj starts at zero: without this every output and most gradients would be 0.
                params.get("o_proj.weight").normal_(0.0, 0.4, new org.bytedeco.pytorch.GeneratorOptional());
                params.get("router.weight").normal_(0.0, 0.5, new org.bytedeco.pytorch.GeneratorOptional());
                params.get("router.bias").normal_(0.0, routerBiasScale, new org.bytedeco.pytorch.GeneratorOptional());
            }
            x = randn(new long[] {BATCH, LENGTH, D});
            bank = randn(new long[] {N, D});
            probe = randn(new long[] {BATCH, LENGTH, D});
        }


        Tensor reference(Tensor xIn, Tensor bankIn, Map<String, Tensor> w, String routing, Tensor valid) {
            return ChapterReference.forward(xIn, bankIn, w.get("q_proj.weight"), w.get("k_proj.weight"),
                    w.get("v_proj.weight"), w.get("o_proj.weight"), w.get("router.weight"), w.get("router.bias"),
                    heads, kvHeads, DH, chapters.count(), chapters.topK(), chapters.shared(), chapters.routedScale(),
                    routing, chapters.mixing().toString(), valid);
        }

        /** Router logits as the reference computes them (from the layer's own router weights). */
        Tensor logits(String routing, Tensor valid) {
            try (NoGradGuard ignored = new NoGradGuard()) {
                return ChapterReference.routerLogits(x, params.get("router.weight"), params.get("router.bias"),
                        routing, valid);
            }
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String routing : List.of("sequence", "prefix", "token")) {
            for (String mixing : List.of("independent", "joint")) {
                for (int shared : new int[] {0, 1}) {
                    // GQA: 4 query heads read 2 kv heads; alpha != 1 with shared chapters.
                    out.add(Arguments.of(routing, mixing, shared, 2, 4, 2, shared == 0 ? 1.0 : 0.5));
                }
            }
        }
        // Other k, head layouts and alpha.
        out.add(Arguments.of("token", "independent", 0, 1, 4, 1, 1.0));
        out.add(Arguments.of("token", "joint", 1, 3, 4, 4, 2.0));
        out.add(Arguments.of("prefix", "joint", 0, 3, 2, 2, 1.0));
        out.add(Arguments.of("sequence", "independent", 2, 1, 4, 2, 1.5));
        out.add(Arguments.of("prefix", "independent", 1, 2, 4, 1, 0.5));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} S={2} k={3} Hq={4} Hkv={5} alpha={6}")
    @MethodSource("cases")
    void fastPathEqualsReferenceInValuesAndGradients(String routing, String mixing, int shared, int topK, int heads,
                                                     int kvHeads, double alpha) {
        checkAgainstReference(routing, mixing, shared, topK, heads, kvHeads, alpha, ReadStrategy.AUTO);
    }

    /** Both ways of a per-position read (projected keys, bank space) are pinned and checked alike. */
    @ParameterizedTest(name = "{0} {1} S={2} k={3} Hq={4} Hkv={5} alpha={6}")
    @MethodSource("cases")
    void projectedKeysAndBankSpaceBothEqualTheReference(String routing, String mixing, int shared, int topK,
                                                        int heads, int kvHeads, double alpha) {
        for (ReadStrategy strategy : List.of(ReadStrategy.PROJECTED_KEYS, ReadStrategy.BANK_SPACE)) {
            checkAgainstReference(routing, mixing, shared, topK, heads, kvHeads, alpha, strategy);
        }
    }

    /** The layer's own reference mode (its router, then the loops of ReferenceRead) equals the reference. */
    @ParameterizedTest(name = "{0} {1} S={2} k={3} Hq={4} Hkv={5} alpha={6}")
    @MethodSource("cases")
    void theLayersReferenceModeEqualsTheReference(String routing, String mixing, int shared, int topK,
                                                  int heads, int kvHeads, double alpha) {
        checkAgainstReference(routing, mixing, shared, topK, heads, kvHeads, alpha, ReadStrategy.REFERENCE);
    }

    /** The bank-space read recomputed in 3 chunks during backward (independent mixing; joint reads whole). */
    @ParameterizedTest(name = "{0} {1} S={2} k={3} Hq={4} Hkv={5} alpha={6}")
    @MethodSource("cases")
    void bankSpaceRecomputedInChunksEqualsTheReference(String routing, String mixing, int shared, int topK,
                                                       int heads, int kvHeads, double alpha) {
        checkAgainstReference(routing, mixing, shared, topK, heads, kvHeads, alpha, ReadStrategy.BANK_SPACE, 3);
    }

    /**
     * Under bf16 autocast the chunks recomputed in backward are bf16 too: gradients equal those of
     * the whole read up to the order of fp32 sums, far closer than a recomputation in fp32 would be.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"token", "prefix"})
    void bf16ChunksRecomputeUnderAutocast(String routing) {
        ChapterConfig chapters = ChapterConfig.of(C, 2).with(b -> b.shared(1).routedScale(0.5).routing(RoutingMode.of(routing)));
        Map<Integer, Map<String, Tensor>> grads = new LinkedHashMap<>();
        for (int chunks : new int[] {1, 3}) {
            Setup s = separatedSetup(routing.hashCode() + 5L, 4, 2, chapters, null);
            s.attention.setReadStrategy(ReadStrategy.BANK_SPACE);
            s.attention.setReadChunks(chunks);
            Tensor x = leaf(s.x);
            Tensor bank = leaf(s.bank);
            MemoryRead read = MemoryRead.of(bank).withTrace(new RoutingTrace(), 0);
            try (var autocast = membank.nn.Precision.BF16.autocast()) {
                s.attention.forward(x, read).to(org.bytedeco.pytorch.global.torch.ScalarType.Float).mul(s.probe).sum().backward();
            }
            Map<String, Tensor> g = new LinkedHashMap<>();
            g.put("x", x.grad());
            g.put("bank", bank.grad());
            for (String name : PARAMETERS) {
                g.put(name, s.params.get(name).grad());
            }
            grads.put(chunks, g);
        }
        grads.get(1).forEach((name, whole) -> {
            double diff = whole.sub(grads.get(3).get(name)).abs().max().item_double();
            double scale = whole.abs().max().item_double();
            assertTrue(diff <= 1e-4 * scale + 1e-9, routing + " dL/d" + name + " differs by " + diff + " (scale " + scale + ")");
        });
    }

    /**
     * With rows_read the bank's gradient is sparse, except when chunks read it: they accumulate
     * into a dense gradient, equal to that of the whole read.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"token", "prefix"})
    void sparseBankGradientOfChunksEqualsTheWholeRead(String routing) {
        // no shared chapters: their block reads a slice of the bank, whose gradient is dense
        ChapterConfig chapters = ChapterConfig.of(C, 2).with(b -> b.routing(RoutingMode.of(routing)));
        Tensor[] bankGrads = new Tensor[2];
        for (int chunks : new int[] {1, 3}) {
            Setup s = separatedSetup(routing.hashCode() + 9L, 4, 2, chapters, null);
            s.attention.setReadStrategy(ReadStrategy.BANK_SPACE);
            s.attention.setReadChunks(chunks);
            Tensor bank = leaf(s.bank);
            BankRows rows = chunks == 1 ? BankRows.of(bank) : BankRows.sparselyTrained(bank);
            MemoryRead read = MemoryRead.of(rows).withTrace(new RoutingTrace(), 0);
            s.attention.forward(leaf(s.x), read).mul(s.probe).sum().backward();
            bankGrads[chunks == 1 ? 0 : 1] = bank.grad();
        }
        assertFalse(bankGrads[1].is_sparse(), "chunks accumulate into a dense gradient");
        assertClose("dL/dbank", bankGrads[0], bankGrads[1]);
    }

    /**
     * A frozen router gives coefficients without gradient: the chunks tie to the graph through the
     * queries alone, and x and the bank get the whole read's gradients.
     */
    @Test
    void chunksWithAFrozenRouterEqualTheWholeRead() {
        ChapterConfig chapters = ChapterConfig.of(C, 2).with(b -> b.routing(RoutingMode.TOKEN));
        Map<Integer, Tensor[]> grads = new LinkedHashMap<>();
        for (int chunks : new int[] {1, 3}) {
            Setup s = separatedSetup(41L, 4, 2, chapters, null);
            s.params.get("router.weight").set_requires_grad(false);
            s.params.get("router.bias").set_requires_grad(false);
            s.attention.setReadStrategy(ReadStrategy.BANK_SPACE);
            s.attention.setReadChunks(chunks);
            Tensor x = leaf(s.x);
            Tensor bank = leaf(s.bank);
            s.attention.forward(x, MemoryRead.of(bank).withTrace(new RoutingTrace(), 0)).mul(s.probe).sum().backward();
            grads.put(chunks, new Tensor[] {x.grad(), bank.grad()});
        }
        assertClose("dL/dx", grads.get(1)[0], grads.get(3)[0]);
        assertClose("dL/dbank", grads.get(1)[1], grads.get(3)[1]);
    }

    private void checkAgainstReference(String routing, String mixing, int shared, int topK, int heads, int kvHeads,
                                       double alpha, ReadStrategy strategy) {
        checkAgainstReference(routing, mixing, shared, topK, heads, kvHeads, alpha, strategy, 0);
    }

    private void checkAgainstReference(String routing, String mixing, int shared, int topK, int heads, int kvHeads,
                                       double alpha, ReadStrategy strategy, int chunks) {
        ChapterConfig chapters = ChapterConfig.of(C, topK).with(b -> b.shared(shared).routedScale(alpha).routing(RoutingMode.of(routing)).mixing(Mixing.of(mixing)));
        Tensor valid = routing.equals("sequence") ? paddedValid() : null;
        Setup s = separatedSetup((routing + mixing).hashCode() * 31L + shared * 7L + topK, heads, kvHeads, chapters,
                valid);
        s.attention.setReadStrategy(strategy);
        s.attention.setReadChunks(chunks);

        // Fast path.
        Tensor xFast = leaf(s.x);
        Tensor bankFast = leaf(s.bank);
        RoutingTrace trace = new RoutingTrace();
        Tensor yFast = s.attention.forward(xFast, MemoryRead.of(bankFast).withValid(valid).withTrace(trace, 3));
        yFast.mul(s.probe).sum().backward();

        // Reference on independent leaf copies of everything.
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String name : PARAMETERS) {
            w.put(name, leaf(s.params.get(name)));
        }
        Tensor xRef = leaf(s.x);
        Tensor bankRef = leaf(s.bank);
        Tensor yRef = s.reference(xRef, bankRef, w, routing, valid);
        yRef.mul(s.probe).sum().backward();

        assertClose("y", yRef, yFast);
        assertClose("dL/dx", xRef.grad(), xFast.grad());
        assertClose("dL/dbank", bankRef.grad(), bankFast.grad());
        for (String name : PARAMETERS) {
            Tensor fastGrad = s.params.get(name).grad();
            assertNotNull(fastGrad, name);
            assertTrue(fastGrad.defined(), name + " got no gradient on the fast path");
            assertClose("dL/d" + name, w.get(name).grad(), fastGrad);
        }
        // With k >= 2 (or joint mixing) the router is trained through w or the log-bias.
        if (topK > 1 || mixing.equals("joint")) {
            assertTrue(s.params.get("router.weight").grad().abs().max().item_double() > 1e-6,
                    "no gradient reached the router");
        }

        // The trace saw one decision per sequence (sequence routing) or per position.
        assertEquals(1, trace.layers().size());
        assertEquals(3, trace.layers().get(0).layer());
        Routing r = trace.layers().get(0).routing();
        assertArrayEquals(new long[] {BATCH, routing.equals("sequence") ? 1 : LENGTH, C - shared}, Ops.shape(r.logits()));
        assertClose("router logits", s.logits(routing, valid), r.logits());
    }

    /** Under bf16 autocast the fast path keeps scores and probabilities in bf16 (independent mixing). */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"sequence, independent", "token, independent", "sequence, joint"})
    void bf16FastPathAgreesWithTheFp32ReferenceToBf16Precision(String routing, String mixing) {
        ChapterConfig chapters = ChapterConfig.of(C, 2).with(b -> b.routing(RoutingMode.of(routing)).mixing(Mixing.of(mixing)));
        Setup s = separatedSetup(routing.hashCode() + 17L * mixing.length(), 4, 2, chapters, null);
        MemoryRead read = MemoryRead.of(leaf(s.bank)).withTrace(new RoutingTrace(), 0);
        Tensor yFast;
        try (var autocast = membank.nn.Precision.BF16.autocast()) {
            yFast = s.attention.forward(leaf(s.x), read).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
        }
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String name : PARAMETERS) {
            w.put(name, leaf(s.params.get(name)));
        }
        Tensor yRef = s.reference(leaf(s.x), leaf(s.bank), w, routing, null);
        double diff = yRef.sub(yFast).abs().max().item_double();
        double scale = yRef.abs().max().item_double();
        // bf16 keeps 8 bits of mantissa; the read passes through three bf16 products
        assertTrue(diff <= 0.05 * scale, routing + " " + mixing + ": bf16 differs by " + diff + " (scale " + scale + ")");
    }

    @ParameterizedTest(name = "{0} {1} S={2} k={3} Hq={4} Hkv={5} alpha={6}")
    @MethodSource("cases")
    void inferencePathWithCachedKvEqualsTrainingPath(String routing, String mixing, int shared, int topK, int heads,
                                                     int kvHeads, double alpha) {
        ChapterConfig chapters = ChapterConfig.of(C, topK).with(b -> b.shared(shared).routedScale(alpha).routing(RoutingMode.of(routing)).mixing(Mixing.of(mixing)));
        Tensor valid = routing.equals("sequence") ? paddedValid() : null;
        Setup s = separatedSetup((routing + mixing).hashCode() * 17L + shared * 5L + topK, heads, kvHeads, chapters,
                valid);
        try (NoGradGuard ignored = new NoGradGuard()) {
            MemoryRead read = MemoryRead.of(s.bank).withValid(valid);
            Tensor training = s.attention.forward(s.x, read);
            MemoryKv cached = s.attention.project(BankRows.of(s.bank));
            assertArrayEquals(new long[] {kvHeads, N, DH}, Ops.shape(cached.keys()));
            Tensor inference = s.attention.forward(s.x, read.withCached(cached));
            assertClose("cached vs projected", training, inference);
            assertTrue(training.abs().max().item_double() > 1e-2, "the read is trivially zero");
        }
    }

    /** Spec section 2: k = C - S, S = 0, joint mixing and a uniform router give section 1 exactly. */
    @ParameterizedTest
    @ValueSource(strings = {"sequence", "prefix", "token"})
    void allChaptersJointUniformRouterEqualsDense(String routing) {
        for (double alpha : new double[] {1.0, 0.3}) {
            Setup s = new Setup(routing.hashCode() + 101L, 4, 2, ChapterConfig.of(C, C).with(b -> b.routedScale(alpha).routing(RoutingMode.of(routing)).mixing(Mixing.JOINT)), 1.0);
            MemoryAttention dense = denseCopy(s);
            try (NoGradGuard ignored = new NoGradGuard()) {
                s.params.get("router.weight").zero_();
                s.params.get("router.bias").zero_();
                Tensor routed = s.attention.forward(s.x, MemoryRead.of(s.bank));
                Tensor cached = s.attention.forward(s.x, MemoryRead.of(s.bank).withCached(s.attention.project(BankRows.of(s.bank))));
                Tensor expected = dense.forward(s.x, MemoryRead.of(s.bank));
                assertClose("joint over all chapters vs dense", expected, routed);
                assertClose("cached joint over all chapters vs dense", expected, cached);
            }
        }
    }

    /**
     * Spec section 2: k = 1, independent mixing, S = 0, alpha = 1 gives section 1 over the one chosen
     * chapter, whichever chapter each sequence or position picked.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sequence", "prefix", "token"})
    void topOneIndependentEqualsDenseOverTheChosenChapter(String routing) {
        Setup s = new Setup(routing.hashCode() + 202L, 4, 2, ChapterConfig.of(C, 1).with(b -> b.routing(RoutingMode.of(routing))), 1.0);
        MemoryAttention dense = denseCopy(s);
        try (NoGradGuard ignored = new NoGradGuard()) {
            RoutingTrace trace = new RoutingTrace();
            Tensor routed = s.attention.forward(s.x, MemoryRead.of(s.bank).withTrace(trace, 0));
            Tensor[] perChapter = new Tensor[C];
            for (int c = 0; c < C; c++) {
                perChapter[c] = dense.forward(s.x, MemoryRead.of(s.bank.narrow(0, (long) c * T, T)));
            }
            long[] chosen = Ops.toLongs(trace.layers().get(0).routing().chapters());
            int decisions = routing.equals("sequence") ? 1 : LENGTH;
            java.util.Set<Long> distinct = new java.util.HashSet<>();
            for (int b = 0; b < BATCH; b++) {
                for (int t = 0; t < LENGTH; t++) {
                    long c = chosen[b * decisions + (decisions == 1 ? 0 : t)];
                    distinct.add(c);
                    assertClose("b=" + b + " t=" + t + " chapter " + c,
                            perChapter[(int) c].select(0, b).select(0, t), routed.select(0, b).select(0, t));
                }
            }
            if (!routing.equals("sequence")) {
                assertTrue(distinct.size() > 1, "every position chose the same chapter: the test shows little");
            }
            // Forcing each chapter in turn through the bias gives the dense read of that chapter.
            s.params.get("router.weight").zero_();
            for (int c = 0; c < C; c++) {
                s.params.get("router.bias").zero_();
                s.params.get("router.bias").select(0, c).fill_(Ops.scalar(30.0));
                Tensor forced = s.attention.forward(s.x, MemoryRead.of(s.bank));
                assertClose("forced chapter " + c, perChapter[c], forced);
            }
        }
    }

    // ---------------------------------------------------------------- router losses

    @Test
    void loadBalanceIsOneForUniformUsageAndGrowsToRoutedCountWhenOneChapterTakesAll() {
        int routed = 4;
        for (int k : new int[] {1, 2}) {
            // Decision i favours chapters i, i+1, ... (mod C'): by symmetry f and P are uniform.
            for (double strength : new double[] {1.0, 5.0, 30.0}) {
                Tensor logits = zeros(new long[] {2, routed, routed});
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < routed; i++) {
                        for (int j = 0; j < k; j++) {
                            logits.select(0, b).select(0, i).select(0, (i + j) % routed)
                                    .fill_(Ops.scalar(strength * (k - j)));
                        }
                    }
                }
                RoutingTrace trace = traceOf(logits, k);
                assertEquals(1.0, trace.loadBalance().item_double(), 1e-5, "uniform usage, k=" + k);
                assertEquals(ChapterReference.loadBalance(logits, k), trace.loadBalance().item_double(), 1e-5);
                for (double u : trace.usage()) {
                    assertEquals(1.0 / routed, u, 1e-6);
                }
            }
        }
        // Every decision strongly prefers chapter 0: f = (1, 0, ...), P_0 -> 1, loss -> C'.
        double previous = 1.0 - 1e-6;
        for (double strength : new double[] {0.5, 1.0, 2.0, 4.0, 8.0, 30.0}) {
            Tensor logits = zeros(new long[] {3, 5, routed});
            logits.select(2, 0).fill_(Ops.scalar(strength));
            RoutingTrace trace = traceOf(logits, 1);
            double loss = trace.loadBalance().item_double();
            assertTrue(loss > previous, "load balance must grow with the imbalance: " + loss + " after " + previous);
            assertEquals(ChapterReference.loadBalance(logits, 1), loss, 1e-5);
            previous = loss;
        }
        assertEquals(routed, previous, 1e-5, "one chapter taking everything");
    }

    @Test
    void routerLossesMatchTheReferenceOnRandomLogitsAndSumOverLayers() {
        manual_seed(5);
        Tensor a = randn(new long[] {2, 7, 6}).mul(Ops.scalar(3.0)).add(Ops.scalar(1.5));
        Tensor b = randn(new long[] {3, 1, 6}).mul(Ops.scalar(2.0));
        RoutingTrace one = traceOf(a, 2);
        assertEquals(ChapterReference.zLoss(a), one.zLoss().item_double(), 1e-4 * ChapterReference.zLoss(a));
        assertEquals(ChapterReference.loadBalance(a, 2), one.loadBalance().item_double(), 1e-5);
        RoutingTrace two = traceOf(a, 2);
        two.record(1, routingOf(b, 3));
        assertEquals(ChapterReference.zLoss(a) + ChapterReference.zLoss(b), two.zLoss().item_double(), 1e-3);
        assertEquals(ChapterReference.loadBalance(a, 2) + ChapterReference.loadBalance(b, 3),
                two.loadBalance().item_double(), 1e-5);
        // A shift of every logit by s changes logsumexp by s.
        RoutingTrace shifted = traceOf(a.add(Ops.scalar(2.0)), 2);
        assertEquals(ChapterReference.zLoss(a.add(Ops.scalar(2.0))), shifted.zLoss().item_double(), 1e-3);
        assertTrue(shifted.zLoss().item_double() > one.zLoss().item_double());
        // Routing from a real layer: the trace's losses equal the reference's on the reference logits.
        Setup s = new Setup(77, 4, 2, ChapterConfig.of(C, 2).with(c -> c.shared(1).routing(RoutingMode.TOKEN).mixing(Mixing.JOINT)), 2.0);
        RoutingTrace trace = new RoutingTrace();
        try (NoGradGuard ignored = new NoGradGuard()) {
            s.attention.forward(s.x, MemoryRead.of(s.bank).withTrace(trace, 0));
        }
        Tensor logits = s.logits("token", null);
        assertEquals(ChapterReference.zLoss(logits), trace.zLoss().item_double(), 1e-4 * ChapterReference.zLoss(logits));
        assertEquals(ChapterReference.loadBalance(logits, 2), trace.loadBalance().item_double(), 1e-5);
    }

    // ---------------------------------------------------------------- helpers

    /** The router's decision rule (softmax, top-k, renormalise) applied to given logits [B, P, C']. */
    private static Routing routingOf(Tensor logits, int k) {
        Tensor probs = logits.softmax(-1);
        T_TensorTensor_T top = probs.topk(k);
        Tensor weights = top.get0().div(top.get0().sum(new long[] {-1}, true, new ScalarTypeOptional()));
        return new Routing(logits, probs, top.get1(), weights);
    }

    private static RoutingTrace traceOf(Tensor logits, int k) {
        RoutingTrace trace = new RoutingTrace();
        trace.record(0, routingOf(logits, k));
        return trace;
    }

    /** A dense layer with the same q/k/v/o weights as the chaptered one. */
    private static MemoryAttention denseCopy(Setup s) {
        MemoryAttention dense = Layers.attention(D, s.heads, s.kvHeads, DH);
        Map<String, Tensor> target = params(dense);
        assertEquals(4, target.size(), "dense memory attention has q/k/v/o only: " + target.keySet());
        try (NoGradGuard ignored = new NoGradGuard()) {
            target.forEach((name, p) -> p.copy_(s.params.get(name)));
        }
        return dense;
    }

    /**
     * A setup whose every routing decision has a clear logit gap at the top-k boundary, so float
     * rounding cannot make the two paths choose different chapters: the first of seed, seed + 1, ...
     */
    private static Setup separatedSetup(long seed, int heads, int kvHeads, ChapterConfig chapters, Tensor valid) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Setup s = new Setup(seed + attempt, heads, kvHeads, chapters, 2.0);
            if (minTopKGap(s.logits(chapters.routing().label(), valid), chapters.topK()) > 1e-2) {
                return s;
            }
        }
        throw new IllegalStateException("no seed without near-ties at the top-k boundary");
    }

    /** The smallest logit gap between the k-th and (k+1)-th chapter over all decisions. */
    static double minTopKGap(Tensor logits, int k) {
        int routed = (int) logits.size(-1);
        if (k == routed) {
            return Double.POSITIVE_INFINITY;
        }
        double[] all = ChapterReference.doubles(logits);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < all.length / routed; i++) {
            double[] row = java.util.Arrays.copyOfRange(all, i * routed, (i + 1) * routed);
            java.util.Arrays.sort(row);
            min = Math.min(min, row[routed - k] - row[routed - k - 1]);
        }
        return min;
    }

    /** Row 0 is right-padded by two positions (sequence routing averages over real positions only). */
    private static Tensor paddedValid() {
        Tensor valid = org.bytedeco.pytorch.global.torch.ones(new long[] {BATCH, LENGTH});
        valid.select(0, 0).narrow(0, LENGTH - 2, 2).fill_(Ops.scalar(0.0));
        return valid;
    }

    private static Tensor leaf(Tensor t) {
        Tensor copy = t.detach().clone();
        copy.set_requires_grad(true);
        return copy;
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertNotNull(expected, what + ": expected is null");
        assertNotNull(actual, what + ": actual is null");
        assertTrue(expected.defined() && actual.defined(), what + ": undefined tensor");
        assertArrayEquals(Ops.shape(expected), Ops.shape(actual), what + ": shapes differ");
        double diff = expected.sub(actual).abs().max().item_double();
        double scale = Math.max(1.0, expected.abs().max().item_double());
        assertTrue(diff <= TOLERANCE * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }

    private static Map<String, Tensor> params(org.bytedeco.pytorch.Module module) {
        StringTensorDict dict = module.named_parameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            out.put(dict.get(i).key().getString(), dict.get(i).value());
        }
        return out;
    }
}
