package membank.nn;

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
    private final Tensor sin;
    private final long half;

    public Rope(long headDim, double theta, long maxPositions) {
        TensorOptions f64 = new TensorOptions(ScalarType.Double);
        Tensor exponents = arange(new Scalar(0), new Scalar(headDim), new Scalar(2), f64).div(new Scalar((double) headDim));
        Tensor invFreq = exponents.mul(new Scalar(Math.log(theta))).exp().reciprocal();
        Tensor freqs = outer(arange(new Scalar(maxPositions), f64), invFreq);
        Tensor emb = Ops.cat(freqs, freqs, -1);
        this.cos = emb.cos().to(ScalarType.Float);
        this.sin = emb.sin().to(ScalarType.Float);
        this.half = headDim / 2;
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
        Tensor s = Ops.on(sin.narrow(0, offset, length), x).to(x.scalar_type());
        return x.mul(c).add(rotateHalf(x).mul(s));
    }

    private Tensor rotateHalf(Tensor x) {
        Tensor first = x.narrow(-1, 0, half);
        Tensor second = x.narrow(-1, half, half);
        return Ops.cat(second.neg(), first, -1);
    }
}
