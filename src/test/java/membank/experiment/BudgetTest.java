package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BudgetTest {
    @Test
    void stepsOfEachKind() {
        assertEquals(7, Budget.steps(7).steps(2048, () -> 1, 1));
        // 100 exposures of a 10,000-token epoch in steps of 2,048 tokens: 488.28 -> 489
        assertEquals(489, new Budget(Budget.Kind.EXPOSURES, 100, 0).steps(2048, () -> 1_000_000, 1));
        assertEquals(500, new Budget(Budget.Kind.EXPOSURES, 100, 500).steps(2048, () -> 1_000_000, 1));
        assertEquals(1000, new Budget(Budget.Kind.EXPOSURES, 100, 500).steps(1000, () -> 1_000_000, 1));
        // 1e12 FLOPs at 1e6 FLOPs per token and 2,048 tokens a step: 488.28 -> 488
        assertEquals(488, new Budget(Budget.Kind.FLOPS, 1e12, 0).steps(2048, () -> 1, 1e6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Budget(Budget.Kind.FLOPS, 1e3, 0).steps(2048, () -> 1, 1e6));
        assertTrue(e.getMessage().contains("makes 0 steps"), e.getMessage());
    }
}
