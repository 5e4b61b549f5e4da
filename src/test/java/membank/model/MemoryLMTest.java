package membank.model;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

class MemoryLMTest {

    private static Tensor tokens(long seed, long vocab, long length) {
        manual_seed(seed);
        return randint(vocab, new long[] {2, length});
    }

    @Test
    void namesFollowTheCheckpointFormat() {
        manual_seed(1);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("B", List.of(0, 1), "per_layer", 2));
        Map<String, Tensor> params = model.namedParameters();
        for (String name : List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.bias",
                "model.layers.1.memory_attn.o_proj.weight", "model.layers.0.memory_layernorm.weight",
                "model.layers.1.memory_mlp.down_proj.weight", "model.layers.1.memory_mlp_layernorm.weight",
                "model.memory.banks.1.weight", "model.norm.weight")) {
            assertTrue(params.containsKey(name), name + " missing from " + params.keySet());
        }
        assertFalse(params.containsKey("lm_head.weight"), "tied embeddings have no lm_head");
        assertArrayEquals(new long[] {24, 32}, Ops.shape(params.get("model.memory.banks.0.weight")));
        assertArrayEquals(new long[] {16, 32}, Ops.shape(params.get("model.layers.0.memory_attn.k_proj.weight")));
    }

    @Test
    void zeroInitialisedMemoryLeavesLogitsUnchanged() {
        manual_seed(7);
        MemoryLM plain = new MemoryLM(TestConfigs.plain());
        MemoryLM memory = new MemoryLM(TestConfigs.withMemory("A", List.of(0, 1), "shared", 4));
        copyShared(plain, memory);
        Tensor ids = tokens(3, 97, 12);
        try (NoGradGuard ignored = new NoGradGuard()) {
            assertTrue(equal(plain.forward(ids), memory.forward(ids)), "memory with o_proj = 0 must be the identity");
        }
    }

    @Test
    void selfAttentionIsCausal() {
        manual_seed(11);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("A", List.of(1), "shared", 2));
        randomiseOutputProjections(model);
        Tensor ids = tokens(5, 97, 10);
        Tensor changed = ids.clone();
        changed.select(1, 6).fill_(Ops.scalar(42));
        changed.select(1, 7).fill_(Ops.scalar(43));
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor a = model.forward(ids);
            Tensor b = model.forward(changed);
            assertTrue(equal(a.narrow(1, 0, 6), b.narrow(1, 0, 6)), "positions <= 5 saw tokens after them");
            assertFalse(equal(a.narrow(1, 6, 4), b.narrow(1, 6, 4)));
        }
    }

    @Test
    void gradientsReachBankAndMemoryProjections() {
        manual_seed(13);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("A", List.of(0), "shared", 2));
        randomiseOutputProjections(model);
        model.namedParameters().get("model.embed_tokens.weight").set_requires_grad(false);
        Tensor ids = tokens(2, 97, 9);
        model.loss(ids.narrow(1, 0, 8), ids.narrow(1, 1, 8)).backward();
        Map<String, Tensor> params = model.namedParameters();
        for (String name : List.of("model.memory.banks.0.weight", "model.layers.0.memory_attn.q_proj.weight",
                "model.layers.0.memory_attn.k_proj.weight", "model.layers.0.memory_attn.v_proj.weight",
                "model.layers.0.memory_attn.o_proj.weight")) {
            Tensor grad = params.get(name).grad();
            assertNotNull(grad, name);
            assertTrue(grad.defined() && grad.abs().sum().item_double() > 0, name + " got no gradient");
        }
        Tensor frozen = params.get("model.embed_tokens.weight").grad();
        assertTrue(frozen == null || !frozen.defined(), "a frozen parameter got a gradient");
    }

    @Test
    void incrementalDecodingMatchesFullForward() {
        manual_seed(17);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("B", List.of(0, 1), "shared", 2));
        randomiseOutputProjections(model);
        Tensor ids = tokens(9, 97, 8);
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor full = model.forward(ids);
            DecodeState state = model.newDecodeState(2, 16);
            Tensor prefill = model.forward(ids.narrow(1, 0, 5), ForwardPass.decoding(state));
            Tensor step6 = model.forward(ids.narrow(1, 5, 1), ForwardPass.decoding(state));
            Tensor rest = model.forward(ids.narrow(1, 6, 2), ForwardPass.decoding(state));
            assertClose(full.narrow(1, 0, 5), prefill);
            assertClose(full.narrow(1, 5, 1), step6);
            assertClose(full.narrow(1, 6, 2), rest);
            assertEquals(8, state.length());
        }
    }

    static void assertClose(Tensor expected, Tensor actual) {
        double diff = expected.sub(actual).abs().max().item_double();
        assertTrue(diff < 1e-5, "max difference " + diff);
    }

    /** Gives every memory output projection non-zero weights so memory changes the output. */
    static void randomiseOutputProjections(MemoryLM model) {
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (name.endsWith("memory_attn.o_proj.weight")) {
                    p.normal_(0.0, 0.2, new org.bytedeco.pytorch.GeneratorOptional());
                }
            });
        }
    }

    private static void copyShared(MemoryLM from, MemoryLM to) {
        Map<String, Tensor> target = to.namedParameters();
        try (NoGradGuard ignored = new NoGradGuard()) {
            from.namedParameters().forEach((name, p) -> target.get(name).copy_(p));
        }
    }
}
