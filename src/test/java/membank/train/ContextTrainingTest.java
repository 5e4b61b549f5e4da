package membank.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

class ContextTrainingTest {

    @Test
    void eachRowsBankHoldsItsOwnLatentsThenTheNextRows() {
        // three rows with two latents each: row r holds (10r, 10r+1)
        Tensor latents = Ops.longs(new long[][] {{0, 1}, {10, 11}, {20, 21}});
        Tensor banks = ContextTraining.withDistractors(latents, 2);
        assertArrayEquals(new long[] {3, 6}, Ops.shape(banks));
        assertArrayEquals(new long[] {0, 1, 10, 11, 20, 21, 10, 11, 20, 21, 0, 1, 20, 21, 0, 1, 10, 11},
                Ops.toLongs(banks));
        assertArrayEquals(Ops.toLongs(latents), Ops.toLongs(ContextTraining.withDistractors(latents, 0)));
    }

    @Test
    void distractorsComeFromTheBatch() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ContextTraining.Options(null,
                ContextTraining.Scope.MEMORY, 1, 4, 16, 1e-3, 0, 32, 4));
        assertTrue(e.getMessage().contains("--distractors 4"), e.getMessage());
    }
}
