package membank.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import membank.config.ModelConfig;
import membank.config.Presets;

/**
 * The counter against FLOPs worked out by hand. Base: d 64, 2 layers, 4 heads of 16 with 2 kv
 * heads, intermediate 128, vocab 100; sequences of 16 tokens, forward passes of 2 sequences
 * (32 tokens); memory 32 tokens read by 4 heads of 16 with 2 kv heads.
 */
class FlopCounterTest {
    private static final long SEQ = 16;
    private static final long BATCH = 2;

    /** The tiny preset at this test's sizes, memory on layer 1 unless {@code memory} says otherwise. */
    private static ModelConfig model(String... memory) {
        List<String> sets = new ArrayList<>(List.of("vocab_size=100", "max_position_embeddings=64", "rope_theta=1e4",
                "bos_token_id=1", "eos_token_id=2", "membank.layers=[1]", "membank.sharing=per_layer",
                "membank.num_tokens=32", "membank.router_losses=null"));
        sets.addAll(List.of(memory));
        return Presets.model("tiny", sets.toArray(String[]::new));
    }

    private static ModelConfig dense() {
        return model();
    }

    @Test
    void denseMemoryMatchesHandCount() {
        FlopBreakdown b = FlopCounter.count(dense(), SEQ, BATCH);
        assertEquals(0, b.row(FlopCounter.EMBEDDING).forward());
        // q 64x64 + k 64x32 + v 64x32 + o 64x64 = 12,288 MAC, x2 FLOP, x2 layers
        assertRow(b, FlopCounter.ATTENTION_PROJECTIONS, 2, 49_152);
        // 16/2 = 8 keys on average, 4 heads of 16: QK^T 512 + AV 512 MAC, x2 FLOP, x2 layers
        assertRow(b, FlopCounter.ATTENTION_SCORES, 2, 4_096);
        // gate, up, down: 3 x 64x128 = 24,576 MAC, x2 FLOP, x2 layers
        assertRow(b, FlopCounter.MLP, 2, 98_304);
        // memory q 64x64 + o 64x64 = 8,192 MAC, one memory layer
        assertRow(b, FlopCounter.MEMORY_PROJECTIONS, 1, 16_384);
        // all 32 memory tokens, 4 heads of 16: scores 2,048 + values 2,048 MAC
        assertRow(b, FlopCounter.MEMORY_READ, 1, 8_192);
        // K and V of 32 rows of width 64 into 2x16: 2 x 32 x 64 x 32 = 131,072 MAC per pass, shared by 32 tokens
        assertRow(b, FlopCounter.MEMORY_KV, 1, 8_192);
        // tied or not, logits cost 64 x 100 MAC
        assertRow(b, FlopCounter.LM_HEAD, 1, 12_800);
        assertFalse(b.has(FlopCounter.ROUTER));
        assertFalse(b.has(FlopCounter.MEMORY_MLP));
        double forward = 49_152 + 4_096 + 98_304 + 16_384 + 8_192 + 8_192 + 12_800;
        assertEquals(197_120, forward);
        assertEquals(forward, b.forward());
        assertEquals(2 * forward, b.backward());
        assertEquals(3 * forward, b.trainPerToken());
        assertEquals(98_304 * 3 / (3 * forward), b.share(b.row(FlopCounter.MLP)), 1e-12);
    }

    @Test
    void biggerForwardPassesAmortiseTheBankProjection() {
        // 131,072 MAC per pass over 8 sequences of 16 = 128 tokens: 1,024 MAC, 2,048 FLOP per token
        assertEquals(2_048, FlopCounter.count(dense(), SEQ, 8).row(FlopCounter.MEMORY_KV).forward());
    }

    @Test
    void frozenPartsNeedOnlyInputGradients() {
        FrozenParts adapter = FrozenParts.of(Set.of(ParameterRole.BACKBONE));
        FlopBreakdown b = FlopCounter.count(dense(), SEQ, BATCH, adapter);
        // frozen backbone matmuls: input gradients only (1x); attention products and memory: 2x
        double backward = 49_152 + 2 * 4_096 + 98_304 + 2 * 16_384 + 2 * 8_192 + 2 * 8_192 + 12_800;
        assertEquals(233_984, backward);
        assertEquals(backward, b.backward());
        assertEquals(197_120, b.forward());

        // --freeze bank+kv on top: K and V need no gradient, so neither the read's dK/dV nor the projection's
        FlopBreakdown fixedKv = FlopCounter.count(dense(), SEQ, BATCH, new FrozenParts(true, false, true, true));
        assertEquals(8_192, fixedKv.row(FlopCounter.MEMORY_READ).backward());
        assertEquals(0, fixedKv.row(FlopCounter.MEMORY_KV).backward());
        assertEquals(49_152 + 2 * 4_096 + 98_304 + 2 * 16_384 + 8_192 + 0 + 12_800, fixedKv.backward());

        // only the bank trains: K/V projection needs the rows' gradient (1x), not the weights'
        FlopBreakdown bankOnly = FlopCounter.count(dense(), SEQ, BATCH, new FrozenParts(true, true, true, false));
        assertEquals(8_192, bankOnly.row(FlopCounter.MEMORY_KV).backward());
        assertEquals(16_384, bankOnly.row(FlopCounter.MEMORY_PROJECTIONS).backward());

        FlopBreakdown nothing = FlopCounter.count(dense(), SEQ, BATCH, new FrozenParts(true, true, true, true));
        assertEquals(0, nothing.backward());
    }

    @Test
    void routedMemoryReadsSharedPlusChosenChapters() {
        // 4 chapters of 8 tokens, shared 1, k 1, token routing: 32 decisions per pass
        String chapters = "membank.chapters={\"count\": 4, \"top_k\": 1, \"shared\": 1, \"routing\": \"token\"}";
        FlopBreakdown b = FlopCounter.count(model(chapters), SEQ, BATCH);
        // (1 shared + 1 routed) x 8 = 16 tokens: 2 x 16 x 4 x 16 = 2,048 MAC
        assertRow(b, FlopCounter.MEMORY_READ, 1, 4_096);
        // 32 decisions can touch all 3 routed chapters: 4 x 8 = 32 rows, as dense
        assertRow(b, FlopCounter.MEMORY_KV, 1, 8_192);
        // router 64 -> 3 routed chapters per decision: 32 x 192 MAC per pass, 192 MAC per token
        assertRow(b, FlopCounter.ROUTER, 1, 384);
        assertEquals(49_152 + 4_096 + 98_304 + 16_384 + 4_096 + 8_192 + 384 + 12_800, b.forward());
        assertEquals(3 * b.forward(), b.trainPerToken());

        // sequence routing: 2 decisions touch at most 2 routed chapters, (1 + 2) x 8 = 24 rows:
        // 2 x 24 x 64 x 32 = 98,304 MAC per pass / 32 tokens = 3,072 MAC; router 2 x 192 MAC / 32 tokens
        FlopBreakdown s = FlopCounter.count(model(chapters, "membank.chapters.routing=sequence"), SEQ, BATCH);
        assertRow(s, FlopCounter.MEMORY_KV, 1, 6_144);
        assertRow(s, FlopCounter.ROUTER, 1, 24);
    }

    @Test
    void variantBAddsAMemoryMlpPerMemoryLayer() {
        FlopBreakdown b = FlopCounter.count(model("membank.variant=B", "membank.layers=[0,1]"), SEQ, BATCH);
        // 3 x 64 x 128 = 24,576 MAC per memory layer, 2 memory layers
        assertRow(b, FlopCounter.MEMORY_MLP, 2, 98_304);
        assertRow(b, FlopCounter.MEMORY_PROJECTIONS, 2, 32_768);
        assertRow(b, FlopCounter.MEMORY_READ, 2, 16_384);
        assertRow(b, FlopCounter.MEMORY_KV, 2, 16_384);
        assertEquals(49_152 + 4_096 + 98_304 + 98_304 + 32_768 + 16_384 + 16_384 + 12_800, b.forward());
    }

    @Test
    void lowRankProjectionsAndFactorizedBanks() {
        FlopBreakdown b = FlopCounter.count(model("membank.bank={\"kind\": \"factorized\", \"rank\": 8}",
                "membank.projection_rank=4"), SEQ, BATCH);
        // q and o of rank 4: 4 x (64 + 64) = 512 MAC each
        assertRow(b, FlopCounter.MEMORY_PROJECTIONS, 1, 2_048);
        // K/V from rows of width 8: 2 x 32 x 8 x 32 = 16,384 MAC per pass / 32 tokens = 512 MAC
        assertRow(b, FlopCounter.MEMORY_KV, 1, 1_024);
    }

    @Test
    void flopsDelegatesToTheCounter() {
        // forward of the whole batch: 197,120 FLOP per token x 32 tokens; a training step 3x
        assertEquals(197_120.0 * 32, Flops.forward(dense(), BATCH, SEQ));
        assertEquals(3 * 197_120.0 * 32, Flops.trainStep(dense(), BATCH, SEQ));
        assertThrows(IllegalArgumentException.class, () -> FlopCounter.count(dense(), 0, 1));
    }

    private static void assertRow(FlopBreakdown b, String component, int count, double forward) {
        FlopBreakdown.Row row = b.row(component);
        assertEquals(count, row.count(), component);
        assertEquals(forward, row.forward(), component);
        assertEquals(2 * forward, row.backward(), component + " backward");
    }
}
