package membank.scratch;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.*;
import org.junit.jupiter.api.Test;
import membank.nn.Ops;

class AttnScratchTest {
    interface F { Tensor f(Tensor q, Tensor k, Tensor v); }

    void time(String name, F f, Tensor q, Tensor k, Tensor v) {
        for (int r = 0; r < 2; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                try (PointerScope s = new PointerScope()) {
                    Tensor out = f.f(q, k, v);
                    out.sum().backward();
                }
            }
            System.err.printf("%s fwd+bwd ms %.1f%n", name, (System.nanoTime() - t0) / 3e6);
        }
    }

    @Test
    void attn() {
        long B = 16, L = 128, Hq = 4, Hkv = 2, dh = 64, N = 4096;
        Tensor q = randn(new long[]{B, Hq, L, dh}).set_requires_grad(true);
        Tensor k = randn(new long[]{1, Hkv, N, dh}).set_requires_grad(true);
        Tensor v = randn(new long[]{1, Hkv, N, dh}).set_requires_grad(true);
        time("sdpa-expand", (a, b, c) -> Ops.attention(a, b.expand(B, -1, -1, -1), c.expand(B, -1, -1, -1), false), q, k, v);
        time("sdpa-fold", (a, b, c) -> {
            Tensor qf = a.transpose(0, 1).reshape(1, Hq, B * L, dh);
            Tensor o = Ops.attention(qf, b, c, false);
            return o.view(Hq, B, L, dh).transpose(0, 1);
        }, q, k, v);
        time("matmul-fold", (a, b, c) -> {
            long g = Hq / Hkv;
            Tensor qf = a.reshape(B, Hkv, g * L, dh).transpose(0, 1).reshape(Hkv, B * g * L, dh);
            Tensor kk = b.squeeze(0);
            Tensor s = matmul(qf, kk.transpose(1, 2)).mul(new Scalar(1.0 / Math.sqrt(dh)));
            Tensor p = s.softmax(-1);
            Tensor o = matmul(p, c.squeeze(0));
            return o.view(Hkv, B, g * L, dh).transpose(0, 1).reshape(B, Hq, L, dh);
        }, q, k, v);
        set_autocast_dtype(DeviceType.CPU, ScalarType.BFloat16);
        Tensor qb = q.detach().to(ScalarType.BFloat16).set_requires_grad(true);
        Tensor kb = k.detach().to(ScalarType.BFloat16).set_requires_grad(true);
        Tensor vb = v.detach().to(ScalarType.BFloat16).set_requires_grad(true);
        time("bf16 sdpa-expand", (a, b, c) -> Ops.attention(a, b.expand(B, -1, -1, -1), c.expand(B, -1, -1, -1), false), qb, kb, vb);
        time("bf16 sdpa-fold", (a, b, c) -> {
            Tensor qf = a.transpose(0, 1).reshape(1, Hq, B * L, dh);
            Tensor o = Ops.attention(qf, b, c, false);
            return o.view(Hq, B, L, dh).transpose(0, 1);
        }, qb, kb, vb);
        time("bf16 matmul-fold", (a, b, c) -> {
            long g = Hq / Hkv;
            Tensor qf = a.reshape(B, Hkv, g * L, dh).transpose(0, 1).reshape(Hkv, B * g * L, dh);
            Tensor s = matmul(qf, b.squeeze(0).transpose(1, 2)).mul(new Scalar(1.0 / Math.sqrt(dh)));
            Tensor o = matmul(s.softmax(-1), c.squeeze(0));
            return o.view(Hkv, B, g * L, dh).transpose(0, 1).reshape(B, Hq, L, dh);
        }, qb, kb, vb);
    }
}
