package membank.nn;

import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.matmul;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A LoRA update of one linear layer, as PEFT defines it: {@code W x + (alpha / r) B A dropout(x)}
 * with A [r, in] drawn like PEFT's (uniform in +-1/sqrt(in)) and B [out, r] zero, so the update
 * starts at nothing. A and B are registered inside the target under PEFT's names, so
 * {@code q_proj.lora_A.weight} and {@code q_proj.lora_B.weight} appear next to {@code q_proj.weight}.
 */
public final class Lora {
    public static final String A = "lora_A";
    public static final String B = "lora_B";

    private final LinearImpl a;
    private final LinearImpl b;
    private final double scale;
    private final double dropout;

    private Lora(LinearImpl a, LinearImpl b, double scale, double dropout) {
        this.a = a;
        this.b = b;
        this.scale = scale;
        this.dropout = dropout;
    }

    /** Whether a tensor name is a LoRA A or B matrix. */
    public static boolean isLoraTensor(String name) {
        return name.contains("." + A + ".") || name.contains("." + B + ".");
    }

    /** Registers a rank-{@code rank} update inside {@code target}. */
    static Lora attach(LinearImpl target, int rank, double alpha, double dropout) {
        long in = target.weight().size(1);
        long out = target.weight().size(0);
        LinearImpl a = target.register_module(A, Layers.linear(in, rank, false));
        LinearImpl b = target.register_module(B, Layers.zeroLinear(rank, out));
        try (Scope ignored = Scope.noGrad()) {
            double bound = 1.0 / Math.sqrt(in);
            a.weight().uniform_(-bound, bound, new org.bytedeco.pytorch.GeneratorOptional());
        }
        return new Lora(a, b, alpha / rank, dropout);
    }

    /** The update {@code (alpha / r) B A dropout(x)}; dropout only while training. */
    Tensor delta(Tensor x, boolean training) {
        Tensor in = dropout > 0 ? dropout(x, dropout, training) : x;
        return b.forward(a.forward(in)).mul(Ops.scalar(scale));
    }

    /** {@code W + (alpha / r) B A}: the weight with this update folded in. */
    Tensor merged(Tensor weight) {
        return weight.add(matmul(b.weight(), a.weight()).mul(Ops.scalar(scale)));
    }
}
