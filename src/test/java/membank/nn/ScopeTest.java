package membank.nn;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** What a block that frees its temporaries keeps alive, and what it frees. */
class ScopeTest {
    @Test
    void freesTemporariesButNotTheResultOrWhatIsKept() {
        try (Scope step = Scope.tensors()) {
            Tensor[] made = new Tensor[2];
            Tensor result = Scope.freeingTemporaries(() -> {
                made[0] = arange(new Scalar(4));
                made[1] = made[0].mul(new Scalar(10));
                return made[0].add(new Scalar(1));
            }, () -> List.of(made[1]));
            assertTrue(made[0].isNull(), "a temporary outlived its block");
            assertFalse(result.isNull());
            assertArrayEquals(new long[] {1, 2, 3, 4}, Ops.toLongs(result));
            assertArrayEquals(new long[] {0, 10, 20, 30}, Ops.toLongs(made[1]));
        }
    }

    @Test
    void topKIndicesOutliveTheirTuple() {
        try (Scope step = Scope.tensors()) {
            Tensor t = Ops.longs(new long[] {5, 1, 9, 3}).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            // libtorch's topk tuple is made, and freed, inside the block
            Tensor indices = Scope.freeingTemporaries(() -> Ops.topk(t, 2).indices(), List::of);
            Tensor padding = arange(new Scalar(1 << 16)).mul(new Scalar(7));
            assertArrayEquals(new long[] {2, 0}, Ops.toLongs(indices), "after " + Ops.toLongs(padding.narrow(0, 0, 1))[0]);
        }
    }
}
