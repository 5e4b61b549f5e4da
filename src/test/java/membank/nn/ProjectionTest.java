package membank.nn;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Projections of one input computed as one matmul give each projection's own output and gradients. */
class ProjectionTest {
    private static List<LinearImpl> linears(boolean bias) {
        return List.of(Layers.linear(8, 6, bias), Layers.linear(8, 4, bias), Layers.linear(8, 4, bias));
    }

    private static float maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_float();
    }

    private static void assertSameAsEach(List<LinearImpl> linears, List<Projection> ps) {
        Tensor x = randn(new long[] {2, 5, 8});
        Tensor upstream = randn(new long[] {2, 5, 14});
        List<Tensor> together = Projection.forwardTogether(x, ps.toArray(Projection[]::new));
        assertEquals(ps.size(), together.size());
        Ops.cat(together, -1).mul(upstream).sum().backward();
        List<Tensor> gradsTogether = new ArrayList<>();
        for (LinearImpl l : linears) {
            gradsTogether.add(l.weight().grad().clone());
            l.weight().grad().zero_();
        }
        List<Tensor> each = new ArrayList<>();
        for (Projection p : ps) {
            each.add(p.forward(x));
        }
        Ops.cat(each, -1).mul(upstream).sum().backward();
        for (int i = 0; i < ps.size(); i++) {
            assertTrue(maxDiff(together.get(i), each.get(i)) < 1e-5f, "output " + i + " differs");
            assertTrue(maxDiff(gradsTogether.get(i), linears.get(i).weight().grad()) < 1e-5f, "weight gradient " + i + " differs");
        }
    }

    @Test
    void stackedMatmulMatchesEachProjection() {
        try (Scope ignored = Scope.tensors()) {
            manual_seed(1);
            for (boolean bias : new boolean[] {false, true}) {
                List<LinearImpl> linears = linears(bias);
                assertSameAsEach(linears, linears.stream().map(Projection::new).toList());
            }
        }
    }

    @Test
    void projectionsWithLoraRunOneByOne() {
        try (Scope ignored = Scope.tensors()) {
            manual_seed(2);
            List<LinearImpl> linears = linears(false);
            List<Projection> ps = linears.stream().map(Projection::new).toList();
            ps.get(1).addLora(2, 4.0, 0.0);
            // B starts at zero; a nonzero update tells a skipped LoRA from an applied one
            try (Scope noGrad = Scope.noGrad()) {
                Layers.namedParameters(linears.get(1)).get("lora_B.weight").normal_(0, 1, new GeneratorOptional());
            }
            Tensor x = randn(new long[] {3, 8});
            assertTrue(maxDiff(ps.get(1).forward(x), linears.get(1).forward(x)) > 1e-3f, "the LoRA update is zero");
            assertSameAsEach(linears, ps);
        }
    }
}
