package membank.memory;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import membank.config.BankConfig;
import membank.nn.Ops;

/**
 * int8 / int4 bank quantisation. The bound: a group with scale s = max|x| / qmax stores
 * round(x / s), which is within 1/2 of x / s, so every dequantised value is within s / 2 of the
 * float one; that is at most max|x| / 254 of its row (int8) or max|x| / 14 of its group (int4).
 */
class RowQuantizerTest {
    private static final int ROWS = 64;
    private static final int WIDTH = 48;

    private static RowQuantizer quantizer(String quant, Integer group) {
        return RowQuantizer.of(new BankConfig(BankConfig.Kind.DENSE, null, BankConfig.Quant.valueOf(quant.toUpperCase(java.util.Locale.ROOT)), group), WIDTH);
    }

    @ParameterizedTest
    @CsvSource(value = {"int8,null", "int4,16", "int4,2", "int4,48"}, nullValues = "null")
    void dequantisedValuesAreWithinHalfAStepOfTheFloatOnes(String quant, Integer group) {
        manual_seed(11);
        RowQuantizer q = quantizer(quant, group);
        // A bank at its init scale, with a few outliers and an all-zero row.
        Tensor bank = randn(new long[] {ROWS, WIDTH}).mul(Ops.scalar(0.02));
        bank.select(0, 3).select(0, 5).fill_(Ops.scalar(0.5));
        bank.select(0, 7).zero_();
        RowQuantizer.Codes codes = q.quantise(bank);
        assertArrayEquals(q.codeShape(ROWS), Ops.shape(codes.codes()));
        assertArrayEquals(q.scaleShape(ROWS), Ops.shape(codes.scales()));
        assertEquals(q.codeType().value, codes.codes().scalar_type().value);
        assertEquals(ScalarType.Float.value, codes.scales().scalar_type().value);

        Tensor restored = q.dequantise(codes.codes(), codes.scales());
        long g = q.group();
        Tensor error = restored.sub(bank).abs().view(ROWS, WIDTH / g, g);
        Tensor halfStep = codes.scales().div(Ops.scalar(2)).unsqueeze(-1);
        // Float rounding of x / s and code * s adds a few ulps of |x| on top of the exact bound.
        Tensor slack = bank.abs().view(ROWS, WIDTH / g, g).mul(Ops.scalar(1e-6));
        double worst = error.sub(halfStep.add(slack)).max().item_double();
        assertTrue(worst <= 0, quant + ": an element is " + worst + " past half a step");
        // Relative to the group's largest value: 1/(2 qmax).
        Tensor groupMax = bank.abs().view(ROWS, WIDTH / g, g).amax(new long[] {-1}, true);
        double relative = error.div(groupMax.clamp_min(Ops.scalar(1e-30))).max().item_double();
        assertTrue(relative <= 0.5 / q.max() + 1e-6, quant + ": relative error " + relative);
        assertEquals(0.0, restored.select(0, 7).abs().max().item_double(), "a zero row stays zero");
        // The largest value of every group comes back exactly (it is qmax * s).
        assertEquals(0.5, restored.select(0, 3).select(0, 5).item_double(), 1e-7);
    }

    @Test
    void int4PacksTwoBiasedCodesPerByteLowNibbleFirst() {
        RowQuantizer q = RowQuantizer.of(new BankConfig(BankConfig.Kind.DENSE, null, BankConfig.Quant.INT4, 4), 4);
        // One row, one group: max 0.7, so s = 0.1 and the levels are 7, -7, 1, 0.
        Tensor row = Ops.longs(new long[] {7, -7, 1, 0}).to(ScalarType.Float).mul(Ops.scalar(0.1)).view(1, 4);
        RowQuantizer.Codes codes = q.quantise(row);
        // (7+8) + 16 (-7+8) = 31, (1+8) + 16 (0+8) = 137
        assertArrayEquals(new long[] {31, 137}, Ops.toLongs(codes.codes()));
        assertEquals(0.1, codes.scales().item_double(), 1e-7);
        assertTrue(row.sub(q.dequantise(codes.codes(), codes.scales())).abs().max().item_double() < 1e-7);
    }

    @Test
    void rowsReadFromCodesDequantiseOnlyWhatIsAsked() {
        manual_seed(12);
        RowQuantizer q = quantizer("int8", null);
        RowQuantizer.Codes codes = q.quantise(randn(new long[] {ROWS, WIDTH}));
        BankRows rows = q.rows(codes);
        Tensor all = q.dequantise(codes.codes(), codes.scales());
        assertEquals(ROWS, rows.size());
        assertEquals(WIDTH, rows.width());
        assertTrue(equal(all, rows.all()));
        Tensor ids = Ops.longs(new long[] {5, 0, 63});
        assertTrue(equal(all.index_select(0, ids), rows.select(ids)));
        assertTrue(equal(all.narrow(0, 8, 8), rows.span(8, 8)));
        assertTrue(equal(all.narrow(0, 16, 16).view(2, 8, WIDTH), rows.chapters(Ops.longs(new long[] {2, 3}), 8)));
    }
}
