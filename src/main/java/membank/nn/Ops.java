package membank.nn;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.List;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * The small JavaCPP surface the model code uses, so modules read like the spec's equations.
 * Shapes are passed as {@code long[]} because JavaCPP's overloads are ambiguous with int literals.
 */
public final class Ops {
    static {
        // every module is built through these helpers, so this is the first native work of a process
        NativeRuntime.ensureConfigured();
    }

    private Ops() {
    }

    public static long[] shape(Tensor t) {
        return t.sizes().vec().get();
    }

    public static Scalar scalar(double v) {
        return new Scalar(v);
    }

    /** An optional scalar argument (bounds of clamp). */
    private static org.bytedeco.pytorch.ScalarOptional scalarOptional(double v) {
        return new org.bytedeco.pytorch.ScalarOptional(new Scalar(v));
    }

    /** A boolean tensor of ones (true), e.g. a mask where nothing is padded. */
    public static Tensor onesBool(long... shape) {
        return ones(shape, new TensorOptions(ScalarType.Bool));
    }

    /** An integer scalar: arithmetic with it keeps int64 index tensors int64. */
    public static Scalar integer(long v) {
        return new Scalar(v);
    }

    /** {@code t * c}. */
    public static Tensor times(Tensor t, double c) {
        return t.mul(scalar(c));
    }

    /** {@code t + c}. */
    public static Tensor plus(Tensor t, double c) {
        return t.add(scalar(c));
    }

    /** {@code t - c}. */
    public static Tensor minus(Tensor t, double c) {
        return t.sub(scalar(c));
    }

    /** {@code t / c}. */
    public static Tensor dividedBy(Tensor t, double c) {
        return t.div(scalar(c));
    }

    /** {@code t^2}, as libtorch's pow. */
    public static Tensor square(Tensor t) {
        return t.pow(scalar(2));
    }

    /** {@code max(t, min)} elementwise. */
    public static Tensor clampMin(Tensor t, double min) {
        return t.clamp_min(scalar(min));
    }

    /** {@code t} with {@code value} where the boolean {@code mask} is true. */
    public static Tensor maskedFill(Tensor t, Tensor mask, double value) {
        return t.masked_fill(mask, scalar(value));
    }

    /** A boolean tensor: true where {@code t == c}. */
    public static Tensor equalTo(Tensor t, double c) {
        return t.eq(scalar(c));
    }

    /** Sets every entry of {@code t} to {@code c} in place (returns nothing, see {@link #normal_}). */
    public static void fill_(Tensor t, double c) {
        t.fill_(scalar(c));
    }

    /** {@code t + n} with an integer scalar: an int64 index tensor stays int64. */
    public static Tensor plusInteger(Tensor t, long n) {
        return t.add(integer(n));
    }

    /** {@code t * n} with an integer scalar: an int64 index tensor stays int64. */
    public static Tensor timesInteger(Tensor t, long n) {
        return t.mul(integer(n));
    }

    /** {@code t & n} of an integer tensor. */
    public static Tensor bitAnd(Tensor t, long n) {
        return t.bitwise_and(integer(n));
    }

    /** {@code t >> n} of an integer tensor. */
    public static Tensor shiftRight(Tensor t, long n) {
        return t.bitwise_right_shift(integer(n));
    }

    /**
     * Fills {@code t} in place with N(mean, std) draws from the default generator. Returns nothing:
     * libtorch's in-place result is a reference that does not own the tensor (InPlaceResultsTest).
     */
    public static void normal_(Tensor t, double mean, double std) {
        t.normal_(mean, std, new org.bytedeco.pytorch.GeneratorOptional());
    }

    /** Entries picked along a dimension (the k largest, or the largest) and their int64 indices. */
    public record TopK(Tensor values, Tensor indices) {
    }

    /**
     * The k largest entries along the last dimension and their indices. JavaCPP's tuple getters
     * return references into the tuple, which die with it: these are owning copies of the handles.
     */
    public static TopK topk(Tensor t, long k) {
        return owned(t.topk(k));
    }

    /** The k largest entries along {@code dim} and their indices, in descending order when {@code sorted}. */
    public static TopK topk(Tensor t, long k, long dim, boolean sorted) {
        return owned(t.topk(k, dim, true, sorted));
    }

    /** The largest entry along {@code dim} (which is removed) and its index. */
    public static TopK max(Tensor t, long dim) {
        return owned(t.max(dim, false));
    }

    private static TopK owned(T_TensorTensor_T tuple) {
        return new TopK(new Tensor(tuple.get0()), new Tensor(tuple.get1()));
    }

    public static boolean isFloatingPoint(Tensor t) {
        return is_floating_point(t);
    }

    /** Sum over {@code dim}, kept as a size-1 dimension or dropped, in {@code t}'s type. */
    public static Tensor sum(Tensor t, long dim, boolean keep) {
        return t.sum(new long[] {dim}, keep, new ScalarTypeOptional());
    }

    /** Mean over {@code dim}, kept as a size-1 dimension or dropped, in {@code t}'s type. */
    public static Tensor mean(Tensor t, long dim, boolean keep) {
        return t.mean(new long[] {dim}, keep, new ScalarTypeOptional());
    }

    /** {@code t} clamped to [lo, hi]. */
    public static Tensor clamp(Tensor t, double lo, double hi) {
        return t.clamp(scalarOptional(lo), scalarOptional(hi));
    }

    /** x W^T: a linear map by a weight [out, in], without bias. */
    public static Tensor linear(Tensor x, Tensor weight) {
        return org.bytedeco.pytorch.global.torch.linear(x, weight);
    }

    /** x W^T + b: a linear map by a weight [out, in] and a bias [out]. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return org.bytedeco.pytorch.global.torch.linear(x, weight, new TensorOptional(bias));
    }

    /** Mean cross-entropy of logits [N, V] over int64 targets [N], targets equal to {@code ignoreIndex} excluded. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        return cross_entropy_loss(logits, targets, new TensorOptional(), 1L, ignoreIndex, 0.0);
    }

    /** Counts [length] of each value 0..length-1 in the int64 tensor {@code t} (more if a value is larger). */
    public static Tensor bincount(Tensor t, long length) {
        return org.bytedeco.pytorch.global.torch.bincount(t, new TensorOptional(), length);
    }

    /** An uninitialised CPU tensor of {@code type}. */
    public static Tensor empty(ScalarType type, long... shape) {
        return org.bytedeco.pytorch.global.torch.empty(shape, new TensorOptions(type),
                new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    /** A CPU tensor of zeros of {@code type}. */
    public static Tensor zeros(ScalarType type, long... shape) {
        return org.bytedeco.pytorch.global.torch.zeros(shape, new TensorOptions(type));
    }

    /** int64 {@code start, start+1, ..., end-1} on {@code like}'s device. */
    public static Tensor arange(long start, long end, Tensor like) {
        return on(org.bytedeco.pytorch.global.torch.arange(integer(start), integer(end),
                new TensorOptions(ScalarType.Long)), like);
    }

    /** Mean over the last dimension, kept. */
    public static Tensor meanLast(Tensor x) {
        return x.mean(new long[] {-1}, true, new ScalarTypeOptional());
    }

    /** [B, L, H*dh] -> [B, H, L, dh]. */
    public static Tensor splitHeads(Tensor x, long heads, long headDim) {
        long[] s = shape(x);
        return x.view(s[0], s[1], heads, headDim).transpose(1, 2);
    }

    /** [B, H, L, dh] -> [B, L, H*dh]. */
    public static Tensor mergeHeads(Tensor x) {
        long[] s = shape(x);
        return x.transpose(1, 2).reshape(s[0], s[2], s[1] * s[3]);
    }

    /**
     * Scaled dot-product attention with GQA (query heads a multiple of kv heads). libtorch's CPU
     * SDPA is several times slower in bf16 than in fp32 (docs/benchmarks.md): causal bf16
     * attention over a whole sequence uses matmuls, anything else SDPA in fp32, cast back.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, boolean causal) {
        if (causal && q.size(2) == k.size(2) && !isFloat32(q)) {
            return causalMatmulAttention(q, k, v);
        }
        ScalarType type = q.scalar_type();
        // SDPA is on autocast's lower-precision list: left enabled, autocast would cast the fp32
        // inputs straight back to bf16 and run the slow bf16 kernel (docs/benchmarks.md).
        boolean autocast = is_autocast_enabled(DeviceType.CPU);
        if (autocast) {
            set_autocast_enabled(DeviceType.CPU, false);
        }
        try {
            Tensor out = scaled_dot_product_attention(f32(q), f32(k), f32(v), new TensorOptional(), 0.0, causal,
                    new DoubleOptional(), shape(q)[1] != shape(k)[1]);
            return out.to(type);
        } finally {
            if (autocast) {
                set_autocast_enabled(DeviceType.CPU, true);
            }
        }
    }

    /**
     * Causal attention in bf16 as two batched matmuls (oneDNN). The scale and the causal mask ride
     * in the first one (baddbmm adds a [L, L] bias of 0 and -inf), and the softmax runs on the bf16
     * scores (libtorch accumulates it in fp32): every pass over the [B*H, L, L] scores costs time,
     * and this path has three where casting the scores to fp32 for the softmax had eight
     * (2.6x faster forward and backward, docs/benchmarks.md). libtorch's bf16 SDPA is no
     * alternative: its CPU backward was 20x slower than this. fp32 inputs keep SDPA.
     */
    static Tensor causalMatmulAttention(Tensor q, Tensor k, Tensor v) {
        long[] s = shape(q);
        long kvHeads = k.size(1);
        long group = s[1] / kvHeads;
        long rows = s[0] * kvHeads;
        long length = s[2];
        // the query heads sharing a kv head are stacked as g*L rows over that head's L keys, so the
        // kv heads are never copied (query head h = kv head * g + j is row block j)
        Tensor bias = causalBias(length, q);
        Tensor scores = baddbmm(group == 1 ? bias : bias.repeat(1, group, 1), q.reshape(rows, group * length, s[3]),
                k.reshape(rows, length, s[3]).transpose(1, 2), scalar(1.0), scalar(1.0 / Math.sqrt(s[3])));
        return bmm(scores.softmax(-1), v.reshape(rows, length, s[3])).view(s);
    }

    /**
     * GQA head expansion: [B, Hkv, N, dh] -> [B, Hkv*g, N, dh], each kv head repeated for the
     * {@code group} query heads that share it (query head h reads kv head h / g). A copy; the
     * tensor itself when {@code group} is 1. Reads over the bank fold the group into the rows
     * instead, which needs no copy (MemoryAttention, RoutedRead).
     */
    public static Tensor repeatKvHeads(Tensor kv, long group) {
        return group == 1 ? kv : kv.repeat_interleave(group, new org.bytedeco.pytorch.LongOptional(1),
                new org.bytedeco.pytorch.LongOptional());
    }

    /** [1, L, L]: 0 where a position may attend (itself and before), -inf after it. */
    private static Tensor causalBias(long length, Tensor q) {
        Tensor future = on(ones(new long[] {length, length}, new TensorOptions(ScalarType.Bool)).triu(1), q);
        return zeros(q, q.scalar_type(), 1, length, length).masked_fill(future, scalar(Double.NEGATIVE_INFINITY));
    }

    /**
     * softmax(Q K^T) V of already scaled fp32 queries [H, R, dh] over keys and values [H, N, dh],
     * through libtorch's fused SDPA: it never holds the [H, R, N] scores, and ran a 4,096-token
     * read 2.7x faster than two matmuls and a softmax (docs/benchmarks.md). Only for fp32: the bf16
     * SDPA backward on CPU was 25x slower than the matmuls.
     */
    public static Tensor fusedRead(Tensor scaledQueries, Tensor keys, Tensor values) {
        return scaled_dot_product_attention(scaledQueries.unsqueeze(0), keys.unsqueeze(0), values.unsqueeze(0),
                new TensorOptional(), 0.0, false, new DoubleOptional(1.0), false).squeeze(0);
    }

    private static Tensor f32(Tensor t) {
        return t.to(ScalarType.Float);
    }

    /** Attention with an explicit boolean mask (true = may attend). */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        return scaled_dot_product_attention(q, k, v, new TensorOptional(mask), 0.0, false,
                new DoubleOptional(), shape(q)[1] != shape(k)[1]);
    }

    public static Tensor cat(Tensor a, Tensor b, long dim) {
        return org.bytedeco.pytorch.global.torch.cat(new TensorVector(a, b), dim);
    }

    /** The tensors joined along the existing dimension {@code dim}. */
    public static Tensor cat(List<Tensor> tensors, long dim) {
        return org.bytedeco.pytorch.global.torch.cat(new TensorVector(tensors.toArray(new Tensor[0])), dim);
    }

    /** The tensors (of one shape) stacked along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, long dim) {
        return org.bytedeco.pytorch.global.torch.stack(new TensorVector(tensors.toArray(new Tensor[0])), dim);
    }

    /** The entries of {@code t} at {@code index} along {@code dim} (torch.gather). */
    public static Tensor gather(Tensor t, long dim, Tensor index) {
        return org.bytedeco.pytorch.global.torch.gather(t, dim, index);
    }

    /**
     * Rows {@code ids} of {@code weight} as an embedding lookup with a sparse gradient: the
     * backward pass yields only the rows read, not a dense [N, w] gradient.
     */
    public static Tensor sparseGradRows(Tensor weight, Tensor ids) {
        return org.bytedeco.pytorch.global.torch.embedding(weight, ids, -1, false, true);
    }

    /** Zeros of {@code t}'s shape, type and device. */
    public static Tensor zerosLike(Tensor t) {
        return zeros_like(t);
    }

    /**
     * {@code t} padded with {@code value}: {@code pad} holds (before, after) pairs from the last
     * dimension backwards, as in torch.nn.functional.pad.
     */
    public static Tensor pad(Tensor t, long[] pad, double value) {
        return constant_pad_nd(t, pad, scalar(value));
    }

    /** Matrix product, batched and broadcast like torch.matmul. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return org.bytedeco.pytorch.global.torch.matmul(a, b);
    }

    /** A [rows, cols] int64 tensor from Java arrays (copied into a libtorch-owned tensor). */
    public static Tensor longs(long[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return longs(flat).view(rows.length, cols);
    }

    /** {@code t} on {@code like}'s device (itself when it is there already: CPU tensors are never copied). */
    public static Tensor on(Tensor t, Tensor like) {
        return like.is_cpu() && t.is_cpu() ? t : t.to(like.device(), t.scalar_type());
    }

    /** {@link #longs(long[])} on {@code like}'s device. */
    public static Tensor longs(long[] values, Tensor like) {
        return on(longs(values), like);
    }

    /** Zeros of {@code type} on {@code like}'s device. */
    public static Tensor zeros(Tensor like, ScalarType type, long... shape) {
        return like.new_zeros(shape, new ScalarTypeOptional(type), new org.bytedeco.pytorch.LayoutOptional(),
                new org.bytedeco.pytorch.DeviceOptional(), new org.bytedeco.pytorch.BoolOptional());
    }

    public static Tensor longs(long[] values) {
        Tensor t = empty(ScalarType.Long, values.length);
        new org.bytedeco.javacpp.LongPointer(t.data_ptr_long()).capacity(values.length).put(values);
        return t;
    }

    /** The values of {@code t} (on any device: read through a CPU copy) as floats. */
    public static float[] floats(Tensor t) {
        Tensor c = t.to(Devices.cpu(), ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().capacity(out.length).get(out);
        return out;
    }

    /** The values of {@code t} (on any device: read through a CPU copy) as longs. */
    public static long[] toLongs(Tensor t) {
        Tensor c = t.to(Devices.cpu(), ScalarType.Long).contiguous();
        long[] out = new long[(int) c.numel()];
        c.data_ptr_long().capacity(out.length).get(out);
        return out;
    }

    public static boolean isFloat32(Tensor t) {
        return t.scalar_type().value == ScalarType.Float.value;
    }
}
