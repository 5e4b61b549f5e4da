package membank.nn;

import static org.bytedeco.pytorch.global.torch.ones;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** RMSNorm computed in float32, then cast back: {@code x / sqrt(mean(x^2) + eps) * weight}. */
public final class RmsNorm extends Module {
    private final Tensor weight;
    private final double eps;

    public RmsNorm(long dim, double eps) {
        this.weight = register_parameter("weight", ones(new long[] {dim}));
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        ScalarType inputType = x.scalar_type();
        Tensor x32 = x.to(ScalarType.Float);
        Tensor normed = x32.mul(Ops.meanLast(x32.mul(x32)).add(Ops.scalar(eps)).rsqrt());
        return weight.mul(normed.to(inputType));
    }
}
