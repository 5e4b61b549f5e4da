package membank.memory;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.zeros;
import static org.bytedeco.pytorch.global.torch.zeros_like;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import membank.nn.Ops;

/**
 * Sanity checks of {@link ChapterReference} against properties derivable by hand from spec
 * section 2: its identities with section 1, the independent-mixing formula written as a
 * combination of dense reads, the router losses on hand-computed inputs, and autograd against
 * finite differences.
 */
class ChapterReferenceTest {

    private static final int D = 16, DH = 4, N = 16, C = 4, T = N / C, BATCH = 2, LENGTH = 5;

    /** Random inputs of one routed memory read. */
    private static final class Setup {
        final Tensor x, bank, wq, wk, wv, wo, wr, br;
        final int heads, kvHeads, routed;

        Setup(long seed, int heads, int kvHeads, int shared, ScalarType type) {
            manual_seed(seed);
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.routed = C - shared;
            x = randn(new long[] {BATCH, LENGTH, D}).to(type);
            bank = randn(new long[] {N, D}).to(type);
            wq = randn(new long[] {heads * DH, D}).mul(Ops.scalar(0.3)).to(type);
            wk = randn(new long[] {kvHeads * DH, D}).mul(Ops.scalar(0.3)).to(type);
            wv = randn(new long[] {kvHeads * DH, D}).mul(Ops.scalar(0.3)).to(type);
            wo = randn(new long[] {D, heads * DH}).mul(Ops.scalar(0.3)).to(type);
            wr = randn(new long[] {routed, D}).mul(Ops.scalar(0.5)).to(type);
            br = randn(new long[] {routed}).mul(Ops.scalar(0.5)).to(type);
        }

        Tensor forward(Tensor routerWeight, Tensor routerBias, int topK, int shared, double alpha, String routing,
                       String mixing, Tensor valid) {
            return ChapterReference.forward(x, bank, wq, wk, wv, wo, routerWeight, routerBias, heads, kvHeads, DH,
                    C, topK, shared, alpha, routing, mixing, valid);
        }

        /** Section 1 over the given memory rows. */
        Tensor dense(Tensor memory) {
            return ChapterReferenceTest.dense(x, memory, wq, wk, wv, wo, heads, kvHeads);
        }

        /** Router with weight zero and bias [0, ..., big at chapter, ..., 0]: every decision picks routed chapter j. */
        Tensor forcingBias(int j) {
            Tensor b = zeros(new long[] {routed}).to(x.scalar_type());
            b.select(0, j).fill_(Ops.scalar(30.0));
            return b;
        }
    }

    /** softmax(Q K^T / sqrt(dh)) V Wo^T, batched over heads with GQA by repeating kv heads. */
    static Tensor dense(Tensor x, Tensor memory, Tensor wq, Tensor wk, Tensor wv, Tensor wo, int heads, int kvHeads) {
        long b = x.size(0), l = x.size(1), n = memory.size(0);
        Tensor q = matmul(x, wq.t()).view(b, l, heads, DH).transpose(1, 2);               // [B, Hq, L, dh]
        Tensor k = matmul(memory, wk.t()).view(n, kvHeads, DH).transpose(0, 1);           // [Hkv, n, dh]
        Tensor v = matmul(memory, wv.t()).view(n, kvHeads, DH).transpose(0, 1);
        k = k.repeat_interleave(heads / kvHeads, new LongOptional(0), new LongOptional()); // [Hq, n, dh]
        v = v.repeat_interleave(heads / kvHeads, new LongOptional(0), new LongOptional());
        Tensor a = softmax(matmul(q, k.transpose(1, 2)).mul(Ops.scalar(1.0 / Math.sqrt(DH))), -1);
        Tensor o = matmul(a, v);                                                          // [B, Hq, L, dh]
        return matmul(o.transpose(1, 2).reshape(b, l, (long) heads * DH), wo.t());
    }

    private static double maxDiff(Tensor a, Tensor b) {
        assertArrayEquals(Ops.shape(a), Ops.shape(b));
        return a.sub(b).abs().max().item_double();
    }

    private static double tolerance(ScalarType type) {
        return type == ScalarType.Double ? 1e-10 : 1e-5;
    }

    private static ScalarType type(String name) {
        return name.equals("double") ? ScalarType.Double : ScalarType.Float;
    }

    private static Tensor paddedValid(ScalarType type) {
        Tensor valid = org.bytedeco.pytorch.global.torch.ones(new long[] {BATCH, LENGTH}).to(type);
        valid.select(0, 0).narrow(0, LENGTH - 2, 2).fill_(Ops.scalar(0.0));
        return valid;
    }

    private static Tensor chapter(Tensor bank, int c) {
        return bank.narrow(0, (long) c * T, T);
    }

    @ParameterizedTest
    @CsvSource({"sequence,4,4,float,1.0", "sequence,4,2,double,0.5", "prefix,4,1,float,1.0", "prefix,2,2,double,2.0",
                "token,4,2,float,0.25", "token,4,4,double,1.0"})
    void jointUniformRouterOverAllChaptersEqualsDense(String routing, int heads, int kvHeads, String dtype, double alpha) {
        ScalarType type = type(dtype);
        Setup s = new Setup(routing.hashCode() + heads * 10L + kvHeads, heads, kvHeads, 0, type);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor y = s.forward(zeros_like(s.wr), zeros_like(s.br), C, 0, alpha, routing, "joint",
                    routing.equals("sequence") ? paddedValid(type) : null);
            double diff = maxDiff(y, s.dense(s.bank));
            assertTrue(diff < tolerance(type), "max difference " + diff);
        }
    }

    @ParameterizedTest
    @CsvSource({"sequence,independent,0", "prefix,independent,3", "token,independent,1",
                "sequence,joint,2", "token,joint,3"})
    void topOneWithoutSharedEqualsDenseOverTheChosenChapter(String routing, String mixing, int chosen) {
        Setup s = new Setup(7 + chosen, 4, 2, 0, ScalarType.Float);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor weight = s.wr.mul(Ops.scalar(0.01));
            Tensor bias = s.forcingBias(chosen);
            float[] logits = Ops.floats(ChapterReference.routerLogits(s.x, weight, bias, routing, null));
            for (int i = 0; i < logits.length / C; i++) {
                assertEquals(chosen, ChapterReference.topIndices(
                        new double[] {logits[i * C], logits[i * C + 1], logits[i * C + 2], logits[i * C + 3]}, 1)[0]);
            }
            // Joint with one chapter: log(alpha * 1) shifts every logit equally, so alpha drops out.
            double alpha = mixing.equals("joint") ? 0.3 : 1.0;
            Tensor y = s.forward(weight, bias, 1, 0, alpha, routing, mixing, null);
            double diff = maxDiff(y, s.dense(chapter(s.bank, chosen)));
            assertTrue(diff < 1e-5, "max difference " + diff);
        }
    }

    @Test
    void independentWithSharedAddsTheSharedReadAndScalesTheRoutedOne() {
        int shared = 1;
        Setup s = new Setup(11, 4, 2, shared, ScalarType.Double);
        try (NoGradGuard ignored = new NoGradGuard()) {
            // Routed chapter j = 1 is bank chapter S + 1 = 2; k = 1 so w = 1: y = dense(shared) + alpha dense(chapter 2).
            Tensor y = s.forward(zeros_like(s.wr), s.forcingBias(1), 1, shared, 0.7, "token", "independent", null);
            Tensor expected = s.dense(chapter(s.bank, 0)).add(s.dense(chapter(s.bank, 2)).mul(Ops.scalar(0.7)));
            assertTrue(maxDiff(y, expected) < 1e-10, "max difference " + maxDiff(y, expected));
            // alpha = 0 leaves the shared read alone.
            Tensor sharedOnly = s.forward(s.wr, s.br, 2, shared, 0.0, "prefix", "independent", null);
            assertTrue(maxDiff(sharedOnly, s.dense(chapter(s.bank, 0))) < 1e-10);
        }
    }

    @Test
    void jointWithSharedAndOneChapterAtAlphaOneIsDenseOverTheirUnion() {
        int shared = 2;
        Setup s = new Setup(12, 4, 4, shared, ScalarType.Double);
        try (NoGradGuard ignored = new NoGradGuard()) {
            // log(alpha * w) = log(1 * 1) = 0: one plain softmax over shared chapters 0, 1 and chapter S + 0 = 2.
            Tensor y = s.forward(zeros_like(s.wr), s.forcingBias(0), 1, shared, 1.0, "sequence", "joint", null);
            Tensor union = s.bank.narrow(0, 0, 3L * T);
            assertTrue(maxDiff(y, s.dense(union)) < 1e-10, "max difference " + maxDiff(y, s.dense(union)));
        }
    }

    /** Independent mixing per position: y = dense(shared) + alpha * sum_top w_c dense(c), with w from p by hand. */
    @ParameterizedTest
    @ValueSource(strings = {"sequence", "prefix", "token"})
    void independentTopTwoIsTheWeightedSumOfChapterReads(String routing) {
        int shared = 1, topK = 2;
        double alpha = 0.6;
        Setup s = new Setup(routing.hashCode(), 4, 2, shared, ScalarType.Double);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor valid = routing.equals("sequence") ? paddedValid(ScalarType.Double) : null;
            Tensor y = s.forward(s.wr, s.br, topK, shared, alpha, routing, "independent", valid);
            double[] logits = ChapterReference.doubles(ChapterReference.routerLogits(s.x, s.wr, s.br, routing, valid));
            double[] sharedRead = ChapterReference.doubles(s.dense(chapter(s.bank, 0)));
            double[][] reads = new double[C][];
            for (int c = shared; c < C; c++) {
                reads[c] = ChapterReference.doubles(s.dense(chapter(s.bank, c)));
            }
            double[] got = ChapterReference.doubles(y);
            double worst = 0;
            for (int b = 0; b < BATCH; b++) {
                for (int t = 0; t < LENGTH; t++) {
                    int decision = routing.equals("sequence") ? b : b * LENGTH + t;
                    double[] p = new double[s.routed];   // unnormalised: top-k and w = p / sum p[top] do not care
                    for (int j = 0; j < s.routed; j++) {
                        p[j] = Math.exp(logits[decision * s.routed + j]);
                    }
                    int[] top = ChapterReference.topIndices(p, topK);
                    double topSum = p[top[0]] + p[top[1]];
                    for (int e = 0; e < D; e++) {
                        int at = (b * LENGTH + t) * D + e;
                        double want = sharedRead[at];
                        for (int j : top) {
                            want += alpha * p[j] / topSum * reads[shared + j][at];
                        }
                        worst = Math.max(worst, Math.abs(want - got[at]));
                    }
                }
            }
            assertTrue(worst < 1e-10, "max difference " + worst);
        }
    }

    @Test
    void routerInputsByMode() {
        Setup s = new Setup(21, 4, 2, 0, ScalarType.Double);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor sequence = ChapterReference.routerLogits(s.x, s.wr, s.br, "sequence", null);
            Tensor prefix = ChapterReference.routerLogits(s.x, s.wr, s.br, "prefix", null);
            Tensor token = ChapterReference.routerLogits(s.x, s.wr, s.br, "token", null);
            assertArrayEquals(new long[] {BATCH, 1, C}, Ops.shape(sequence));
            assertArrayEquals(new long[] {BATCH, LENGTH, C}, Ops.shape(prefix));
            assertArrayEquals(new long[] {BATCH, LENGTH, C}, Ops.shape(token));
            // prefix at t = 0 is token at t = 0; prefix at the last position is the unmasked sequence mean.
            assertTrue(maxDiff(prefix.select(1, 0), token.select(1, 0)) < 1e-12);
            assertTrue(maxDiff(prefix.select(1, LENGTH - 1), sequence.select(1, 0)) < 1e-12);
            // token routing is Wr x_t + br.
            Tensor direct = matmul(s.x, s.wr.t()).add(s.br);
            assertTrue(maxDiff(token, direct) < 1e-12);
            // masked sequence mean over the first LENGTH - 2 positions of sequence 0.
            Tensor masked = ChapterReference.routerLogits(s.x, s.wr, s.br, "sequence", paddedValid(ScalarType.Double));
            Tensor mean0 = s.x.select(0, 0).narrow(0, 0, LENGTH - 2).mean(0);
            assertTrue(maxDiff(masked.select(0, 0).select(0, 0), matmul(s.wr, mean0).add(s.br)) < 1e-12);
            assertTrue(maxDiff(masked.select(0, 1), sequence.select(0, 1)) < 1e-12);

            // Outputs at t = 0 agree between prefix and token routing.
            Tensor yPrefix = s.forward(s.wr, s.br, 2, 0, 1.0, "prefix", "independent", null);
            Tensor yToken = s.forward(s.wr, s.br, 2, 0, 1.0, "token", "independent", null);
            assertTrue(maxDiff(yPrefix.select(1, 0), yToken.select(1, 0)) < 1e-12);
        }
    }

    @Test
    void sequenceRoutingIgnoresPaddedPositions() {
        Setup s = new Setup(22, 4, 2, 1, ScalarType.Double);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor valid = paddedValid(ScalarType.Double);
            Tensor y = s.forward(s.wr, s.br, 1, 1, 1.0, "sequence", "joint", valid);
            Tensor changed = s.x.clone();
            changed.select(0, 0).narrow(0, LENGTH - 2, 2).copy_(randn(new long[] {2, D}).mul(Ops.scalar(5.0)));
            Tensor y2 = ChapterReference.forward(changed, s.bank, s.wq, s.wk, s.wv, s.wo, s.wr, s.br, 4, 2, DH,
                    C, 1, 1, 1.0, "sequence", "joint", valid);
            assertTrue(maxDiff(y.narrow(1, 0, LENGTH - 2), y2.narrow(1, 0, LENGTH - 2)) < 1e-12);
            assertTrue(maxDiff(y.select(0, 1), y2.select(0, 1)) < 1e-12);
        }
    }

    @Test
    void loadBalanceOnHandComputedUsage() {
        int routed = 4;
        // Decision i puts a big logit on chapter i: one decision per chapter, and mean p uniform by symmetry.
        Tensor uniformUse = zeros(new long[] {routed, routed});
        for (int i = 0; i < routed; i++) {
            uniformUse.select(0, i).select(0, i).fill_(Ops.scalar(3.0));
        }
        assertEquals(1.0, ChapterReference.loadBalance(uniformUse, 1), 1e-9);
        // Uniform p: balance 1 whatever the top-k picks.
        assertEquals(1.0, ChapterReference.loadBalance(zeros(new long[] {5, routed}), 2), 1e-9);
        // Collapse: every decision picks chapter 2 with p = 1.
        Tensor collapsed = zeros(new long[] {6, routed});
        collapsed.narrow(1, 2, 1).fill_(Ops.scalar(100.0));
        assertEquals(routed, ChapterReference.loadBalance(collapsed, 1), 1e-9);
        // p = [1/4, 3/4], k = 1: f = [0, 1], P = [1/4, 3/4] -> 2 * 3/4.
        Tensor two = zeros(new long[] {1, 2});
        two.select(0, 0).select(0, 1).fill_(Ops.scalar(Math.log(3.0)));
        assertEquals(1.5, ChapterReference.loadBalance(two, 1), 1e-6);
        // Leading dimensions are decisions: [B, P, C'] works as is.
        assertEquals(1.0, ChapterReference.loadBalance(uniformUse.view(2, 2, routed), 1), 1e-9);
    }

    @Test
    void zLossOnHandComputedLogits() {
        // rows [0, 0] and [0, ln 3]: logsumexp ln 2 and ln 4.
        Tensor logits = zeros(new long[] {2, 2});
        logits.select(0, 1).select(0, 1).fill_(Ops.scalar(Math.log(3.0)));
        double l2 = Math.log(2.0), l4 = Math.log(4.0);
        assertEquals((l2 * l2 + l4 * l4) / 2, ChapterReference.zLoss(logits), 1e-6);
        Tensor shifted = zeros(new long[] {3, 5}).add(Ops.scalar(-2.0));
        double lse = -2.0 + Math.log(5.0);
        assertEquals(lse * lse, ChapterReference.zLoss(shifted), 1e-6);
    }

    /** Autograd of the reference reaches every input, and matches central differences on the router. */
    @ParameterizedTest
    @CsvSource({"independent,token", "joint,prefix", "independent,sequence", "joint,sequence"})
    void gradientsReachEveryInputAndMatchFiniteDifferences(String mixing, String routing) {
        int shared = 1, topK = 2;
        double alpha = 0.8;
        Setup s = new Setup(mixing.hashCode() + routing.hashCode(), 4, 2, shared, ScalarType.Double);
        Tensor probe = randn(new long[] {BATCH, LENGTH, D}).to(ScalarType.Double);
        Tensor[] leaves = {s.x, s.bank, s.wq, s.wk, s.wv, s.wo, s.wr, s.br};
        for (Tensor leaf : leaves) {
            leaf.set_requires_grad(true);
        }
        Tensor loss = s.forward(s.wr, s.br, topK, shared, alpha, routing, mixing, null).mul(probe).sum();
        loss.backward();
        String[] names = {"x", "bank", "wq", "wk", "wv", "wo", "wr", "br"};
        for (int i = 0; i < leaves.length; i++) {
            Tensor g = leaves[i].grad();
            assertNotNull(g, names[i]);
            assertTrue(g.defined() && g.abs().max().item_double() > 0, "no gradient for " + names[i]);
        }
        double[] analytic = ChapterReference.doubles(s.br.grad());
        double[] analyticW = ChapterReference.doubles(s.wr.grad());
        double eps = 1e-6;
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor wr = s.wr.detach();
            Tensor br = s.br.detach();
            for (int j = 0; j < s.routed; j++) {
                Tensor e = zeros_like(br);
                e.select(0, j).fill_(Ops.scalar(eps));
                double plus = lossAt(s, wr, br.add(e), topK, shared, alpha, routing, mixing, probe);
                double minus = lossAt(s, wr, br.sub(e), topK, shared, alpha, routing, mixing, probe);
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(numeric, analytic[j], 1e-6 * Math.max(1.0, Math.abs(numeric)), "d loss / d br[" + j + "]");
                Tensor ew = zeros_like(wr);
                ew.select(0, j).select(0, j + 3).fill_(Ops.scalar(eps));
                double plusW = lossAt(s, wr.add(ew), br, topK, shared, alpha, routing, mixing, probe);
                double minusW = lossAt(s, wr.sub(ew), br, topK, shared, alpha, routing, mixing, probe);
                double numericW = (plusW - minusW) / (2 * eps);
                assertEquals(numericW, analyticW[j * D + j + 3], 1e-6 * Math.max(1.0, Math.abs(numericW)),
                        "d loss / d wr[" + j + "][" + (j + 3) + "]");
            }
            // The router gradient is not trivially zero (it flows through w or the log-bias).
            double norm = 0;
            for (double v : analytic) {
                norm += v * v;
            }
            assertTrue(norm > 1e-12, "router bias gradient vanished");
        }
    }

    private static double lossAt(Setup s, Tensor wr, Tensor br, int topK, int shared, double alpha, String routing,
                                 String mixing, Tensor probe) {
        return ChapterReference.forward(s.x.detach(), s.bank.detach(), s.wq.detach(), s.wk.detach(), s.wv.detach(),
                s.wo.detach(), wr, br, s.heads, s.kvHeads, DH, C, topK, shared, alpha, routing, mixing, null)
                .mul(probe).sum().item_double();
    }
}
