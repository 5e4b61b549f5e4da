package membank.nn;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The bf16 causal attention path against libtorch's fp32 SDPA, forward and gradients. */
class AttentionTest {
    private static Tensor input(long heads) {
        Tensor t = randn(new long[] {2, heads, 24, 16}).to(ScalarType.BFloat16).detach();
        t.set_requires_grad(true);
        return t;
    }

    private static float maxDiff(Tensor a, Tensor b) {
        return a.to(ScalarType.Float).sub(b.to(ScalarType.Float)).abs().max().item_float();
    }

    @Test
    void bf16CausalAttentionMatchesFp32Sdpa() {
        try (PointerScope scope = new PointerScope()) {
            manual_seed(3);
            Tensor q = input(4);
            Tensor k = input(2);
            Tensor v = input(2);
            Tensor fast = Ops.attention(q, k, v, true);
            Tensor[] fp32 = {q.to(ScalarType.Float).detach(), k.to(ScalarType.Float).detach(), v.to(ScalarType.Float).detach()};
            for (Tensor t : fp32) {
                t.set_requires_grad(true);
            }
            Tensor reference = scaled_dot_product_attention(fp32[0], fp32[1], fp32[2], new TensorOptional(), 0.0, true,
                    new DoubleOptional(), true);
            // bf16 keeps 8 bits of mantissa: outputs of magnitude ~1 agree to a few 1e-2
            assertTrue(maxDiff(fast, reference) < 0.05, "forward differs by " + maxDiff(fast, reference));
            Tensor upstream = randn(new long[] {2, 4, 24, 16});
            fast.to(ScalarType.Float).mul(upstream).sum().backward();
            reference.mul(upstream).sum().backward();
            Tensor[] ours = {q, k, v};
            for (int i = 0; i < 3; i++) {
                float diff = maxDiff(ours[i].grad(), fp32[i].grad());
                float scale = fp32[i].grad().abs().max().item_float();
                assertTrue(diff < 0.05 * scale, "gradient " + "qkv".charAt(i) + " differs by " + diff + " (max " + scale + ")");
            }
        }
    }

    @Test
    void positionsDoNotSeeTheFuture() {
        try (PointerScope scope = new PointerScope()) {
            manual_seed(4);
            Tensor q = input(4);
            Tensor k = input(2);
            Tensor v = input(2);
            Tensor before = Ops.attention(q, k, v, true).narrow(2, 0, 10);
            Tensor changedV = v.detach().clone();
            changedV.narrow(2, 10, 14).fill_(new org.bytedeco.pytorch.Scalar(100.0));
            Tensor after = Ops.attention(q, k, changedV, true).narrow(2, 0, 10);
            assertTrue(maxDiff(before, after) == 0f, "positions 0..9 changed when only 10.. changed");
        }
    }

    @Test
    void kvHeadsRepeatForTheQueryHeadsOfTheirGroup() {
        try (Scope ignored = Scope.tensors()) {
            Tensor kv = randn(new long[] {2, 3, 5, 4});
            Tensor repeated = Ops.repeatKvHeads(kv, 2);
            assertTrue(Ops.shape(repeated)[1] == 6);
            for (long h = 0; h < 6; h++) {
                assertTrue(repeated.select(1, h).equal(kv.select(1, h / 2)), "query head " + h);
            }
            assertTrue(Ops.repeatKvHeads(kv, 1) == kv, "no copy without groups");
        }
    }
}
