package membank.memory;

import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.BankConfig;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Symmetric round-to-nearest quantisation of bank rows (spec section 5). Each group of values
 * shares the scale {@code s = max|x| / qmax}; a value is stored as {@code round(x / s)} in
 * [-qmax, qmax] and read back as {@code code * s}, so it comes back within half a step, s / 2.
 * int8: qmax 127, one group per row, codes int8 [N, w]. int4: qmax 7, groups of g values, codes
 * biased by 8 into 1..15 and packed two per byte (even column in the low nibble) as uint8
 * [N, w/2]. Scales are float32 [N, w/g] (g = w for int8).
 */
public final class RowQuantizer {
    private static final int INT8_MAX = 127;
    private static final int INT4_MAX = 7;
    private static final int INT4_BIAS = 8;

    private final boolean int4;
    private final long width;
    private final long group;

    private RowQuantizer(boolean int4, long width, long group) {
        this.int4 = int4;
        this.width = width;
        this.group = group;
    }

    /** The quantizer of a bank's rows, or null when the bank is stored in float. */
    public static RowQuantizer of(BankConfig bank, long hidden) {
        if (!bank.isQuantised()) {
            return null;
        }
        return new RowQuantizer(bank.quant() == BankConfig.Quant.INT4, bank.rowWidth(hidden), bank.quantGroup(hidden));
    }

    /** A bank's rows as stored: {@code codes} int8 or packed uint8, {@code scales} float32 [N, groups]. */
    public record Codes(Tensor codes, Tensor scales) {
    }

    /** Codes of float rows [N, w]; no gradient flows through (it is what a checkpoint stores). */
    public Codes quantise(Tensor rows) {
        try (Scope ignored = Scope.noGrad()) {
            long n = rows.size(0);
            Tensor grouped = rows.detach().to(ScalarType.Float).reshape(n, width / group, group);
            Tensor scales = Ops.dividedBy(grouped.abs().amax(new long[] {-1}, false), max());
            // An all-zero group has scale 0: dividing it by 1 instead keeps its codes 0.
            Tensor divisor = Ops.maskedFill(scales, Ops.equalTo(scales, 0.0), 1.0).unsqueeze(-1);
            Tensor levels = Ops.clamp(grouped.div(divisor).round(), -max(), max()).view(n, width);
            return new Codes(int4 ? pack(levels) : levels.to(ScalarType.Char), scales);
        }
    }

    /** Float rows [n, w] of codes [n, ...] and their scales [n, groups]. */
    public Tensor dequantise(Tensor codes, Tensor scales) {
        long n = codes.size(0);
        Tensor levels = int4 ? unpack(codes) : codes.to(ScalarType.Float);
        return levels.view(n, width / group, group).mul(scales.unsqueeze(-1)).view(n, width);
    }

    /** Levels -7..7 as floats [n, w] -> uint8 [n, w/2], two biased codes per byte. */
    private static Tensor pack(Tensor levels) {
        Tensor pairs = Ops.plus(levels, INT4_BIAS).view(levels.size(0), levels.size(1) / 2, 2);
        // low + 16 high is at most 15 + 240: exact in float, one byte.
        return pairs.select(2, 0).add(Ops.times(pairs.select(2, 1), 16)).to(ScalarType.Byte);
    }

    private static Tensor unpack(Tensor packed) {
        Tensor low = Ops.bitAnd(packed, 15);
        Tensor high = Ops.shiftRight(packed, 4);
        return Ops.minus(Ops.stack(List.of(low, high), 2).view(packed.size(0), -1).to(ScalarType.Float), INT4_BIAS);
    }

    /** Largest level: 127 (int8) or 7 (int4). */
    public int max() {
        return int4 ? INT4_MAX : INT8_MAX;
    }

    /** Values sharing one scale. */
    public long group() {
        return group;
    }

    public long[] codeShape(long rows) {
        return new long[] {rows, int4 ? width / 2 : width};
    }

    public long[] scaleShape(long rows) {
        return new long[] {rows, width / group};
    }

    public ScalarType codeType() {
        return int4 ? ScalarType.Byte : ScalarType.Char;
    }

    /** Zero codes and scales of {@code rows} rows, to be filled by loading a checkpoint. */
    Codes empty(long rows) {
        return new Codes(Ops.zeros(codeType(), codeShape(rows)), Ops.zeros(ScalarType.Float, scaleShape(rows)));
    }

    /** Rows read straight from codes: dequantised as they are asked for. */
    BankRows rows(Codes held) {
        return new BankRows() {
            @Override
            public long size() {
                return held.codes().size(0);
            }

            @Override
            public long width() {
                return width;
            }

            @Override
            public Tensor all() {
                return dequantise(held.codes(), held.scales());
            }

            @Override
            public Tensor select(Tensor ids) {
                return dequantise(held.codes().index_select(0, ids), held.scales().index_select(0, ids));
            }

            @Override
            public Tensor span(long first, long count) {
                return dequantise(held.codes().narrow(0, first, count), held.scales().narrow(0, first, count));
            }
        };
    }
}
