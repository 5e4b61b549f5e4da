package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;


import membank.config.ModelConfig;
import membank.config.Presets;
import membank.config.RunConfig;
import membank.model.FlopCounter;

class IsoFlopBaselineTest {
    private static final String ROUTED_262K_TOKENS = "membank.num_tokens=262144";
    private static final String ROUTED_262K_CHAPTERS = "membank.chapters={\"count\":4096,\"top_k\":64,\"routing\":\"sequence\"}";

    @Test
    void smallWithDenseMemoryGetsADeeperBaselineWithin5Percent() {
        IsoFlopBaseline sized = sizeSmall();
        BaselineCandidate baseline = sized.choose(BaselineKind.DEEPER);
        assertLandsAndIsClosest(sized, baseline);
        assertEquals(10, baseline.config().numHiddenLayers(), "small + 4,096 dense tokens costs about 10 plain layers");
    }

    @Test
    void smallWithARouted262kBankGetsADeeperBaselineWithin5Percent() {
        IsoFlopBaseline sized = sizeSmall(ROUTED_262K_TOKENS, ROUTED_262K_CHAPTERS);
        BaselineCandidate baseline = sized.choose(BaselineKind.DEEPER);
        assertLandsAndIsClosest(sized, baseline);
        // the projection of up to 16 x 64 touched chapters per pass makes it dearer than the dense bank
        assertTrue(baseline.config().numHiddenLayers() > sizeSmall().deeper().config().numHiddenLayers());
        // its wider candidate lands too: 8 heads of 64 (4 kv), intermediate 704 x 2
        BaselineCandidate wider = sized.choose(BaselineKind.WIDER);
        assertEquals(512, wider.config().hiddenSize());
        assertEquals(1408, wider.config().intermediateSize());
        assertEquals(4, wider.config().numKeyValueHeads());
        assertEquals(4, wider.config().numHiddenLayers());
    }

    @Test
    void widerCandidatesKeepHeadSizeGqaGroupsAndMlpRatio() {
        ModelConfig small = smallConfig().model();
        ModelConfig wider = BaselineShapes.wider(small, 3);
        assertEquals(6, wider.numAttentionHeads());
        assertEquals(3, wider.numKeyValueHeads());
        assertEquals(64, wider.headDim());
        assertEquals(384, wider.hiddenSize());
        // 704 x 6 / 4 = 1,056 = 16.5 head dims, rounded to 17 x 64
        assertEquals(1088, wider.intermediateSize());
        assertNull(wider.membank());
    }

    /** small + dense memory: 6 heads cost 0.90x, 8 heads more than 1.05x, so wider is refused. */
    @Test
    void aBaselineMissingBy5PercentIsRefusedWithTheAlternative() {
        IsoFlopBaseline sized = sizeSmall();
        assertFalse(sized.wider().within(IsoFlopBaseline.TOLERANCE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sized.choose(BaselineKind.WIDER));
        assertTrue(e.getMessage().contains("no wider plain transformer trains within 5%"), e.getMessage());
        assertTrue(e.getMessage().contains("use --baseline deeper"), e.getMessage());
    }

    /**
     * One layer of d 64 (q/k/v/o 12,288 + scores and values 1,024 + MLP 24,576 = 37,888 MAC per token at
     * seq 16) plus an LM head of 6,400 MAC, and a memory
     * sublayer of 40 tokens costing 18,432 MAC (q/o 8,192 + read 2 x 40 x 64 + K/V 2 x 40 x 64 x 32 / 32):
     * one plain layer is 0.71x, two are 1.31x, and a wider layer (6 heads, d 96) 1.5x.
     */
    @Test
    void nothingWithin5PercentIsRefused() {
        ModelConfig oneLayer = Presets.model("tiny", "vocab_size=100", "num_hidden_layers=1", "rope_theta=1e4",
                "max_position_embeddings=64", "bos_token_id=1", "eos_token_id=2", "membank.layers=[0]",
                "membank.num_tokens=40");
        IsoFlopBaseline sized = IsoFlopBaseline.size(oneLayer, 16, 2);
        assertEquals(2 * (37_888 + 6_400 + 18_432) * 3.0, sized.modelFlops());
        // 0.706 is nearer 1 than 1.310, so the plain one-layer model is the closest deeper candidate
        assertEquals(2 * (37_888 + 6_400) * 3 / sized.modelFlops(), sized.deeper().ratio(), 1e-12);
        assertEquals(1, sized.deeper().config().numHiddenLayers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sized.choose(BaselineKind.DEEPER));
        assertTrue(e.getMessage().contains("ratio 0.706"), e.getMessage());
        assertTrue(e.getMessage().contains("neither does the wider one"), e.getMessage());
    }

    @Test
    void aModelWithoutMemoryHasNothingToMatch() {
        ModelConfig plain = smallConfig().model().withMembank(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IsoFlopBaseline.size(plain, 128, 16));
        assertTrue(e.getMessage().contains("no \"membank\" block"), e.getMessage());
    }

    private static void assertLandsAndIsClosest(IsoFlopBaseline sized, BaselineCandidate baseline) {
        assertSame(sized.deeper(), baseline);
        ModelConfig c = baseline.config();
        assertNull(c.membank());
        assertEquals(256, c.hiddenSize());
        assertEquals(704, c.intermediateSize());
        double flops = FlopCounter.count(c, 128, 16).trainPerToken();
        assertEquals(flops, baseline.measured());
        assertEquals(FlopCounter.count(sized.model(), 128, 16).trainPerToken(), sized.modelFlops());
        assertTrue(Math.abs(flops / sized.modelFlops() - 1) <= 0.05, "ratio " + flops / sized.modelFlops());
        for (int neighbour : new int[]{c.numHiddenLayers() - 1, c.numHiddenLayers() + 1}) {
            double other = FlopCounter.count(BaselineShapes.deeper(sized.model(), neighbour), 128, 16).trainPerToken();
            assertTrue(Math.abs(other / sized.modelFlops() - 1) >= baseline.deviation(), neighbour + " layers are closer");
        }
    }

    private static IsoFlopBaseline sizeSmall(String... overrides) {
        RunConfig s = smallConfig(overrides);
        assertEquals(128, s.training().seqLen());
        assertEquals(16, s.training().batchSize());
        return IsoFlopBaseline.size(s.model(), s.training().seqLen(), s.training().batchSize());
    }

    private static RunConfig smallConfig(String... overrides) {
        return Presets.run("small", overrides);
    }
}
