package membank.nn;

import static org.bytedeco.pytorch.global.torch.addcmul;
import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.outer;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Rotary position embedding in the Hugging Face "rotate_half" layout: the two halves of each head
 * are rotated as a pair. Tables are computed once for {@code maxPositions} and sliced per call.
 */
public final class Rope {
    private final Tensor cos;
    private final Tensor signedSin;
    private final long half;

    public Rope(long headDim, double theta, long maxPositions) {
        TensorOptions f64 = new TensorOptions(ScalarType.Double);
        Tensor exponents = arange(new Scalar(0), new Scalar(headDim), new Scalar(2), f64).div(new Scalar((double) headDim));
        Tensor invFreq = exponents.mul(new Scalar(Math.log(theta))).exp().reciprocal();
        Tensor freqs = outer(arange(new Scalar(maxPositions), f64), invFreq);
        Tensor emb = Ops.cat(freqs, freqs, -1);
        this.cos = emb.cos().to(ScalarType.Float);
        this.half = headDim / 2;
        // rotate_half(x) * sin = roll(x, half) * [-sin_1, sin_2]: the sign rides in the table
        Tensor sin = emb.sin().to(ScalarType.Float);
        this.signedSin = Ops.cat(sin.narrow(-1, 0, half).neg(), sin.narrow(-1, half, half), -1);
    }

    public long maxPositions() {
        return cos.size(0);
    }

    /** Rotates x [B, H, L, dh] holding positions {@code offset .. offset+L-1}. */
    public Tensor apply(Tensor x, long offset) {
        long length = x.size(2);
        if (offset + length > maxPositions()) {
            throw new IllegalArgumentException("sequence position " + (offset + length)
                    + " exceeds max_position_embeddings " + maxPositions());
        }
        // the tables stay on the CPU (they are no module buffers): copy the slice to x's device
        Tensor c = Ops.on(cos.narrow(0, offset, length), x).to(x.scalar_type());
        Tensor s = Ops.on(signedSin.narrow(0, offset, length), x).to(x.scalar_type());
        // x * cos + rotate_half(x) * sin in three passes (rotate_half's narrow, neg and cat took
        // five, and their gradients more)
        return addcmul(x.mul(c), x.roll(new long[] {half}, -1), s);
    }
}
