package membank.nn;

import static org.bytedeco.pytorch.global.torch.silu;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** The gated MLP of Llama/Qwen2: {@code down(silu(gate(x)) * up(x))}. */
public final class SwiGlu extends Module {
    private final LinearImpl gate;
    private final LinearImpl up;
    private final LinearImpl down;

    public SwiGlu(long dim, long hidden) {
        this.gate = register_module("gate_proj", Ops.linear(dim, hidden, false));
        this.up = register_module("up_proj", Ops.linear(dim, hidden, false));
        this.down = register_module("down_proj", Ops.linear(hidden, dim, false));
    }

    public Tensor forward(Tensor x) {
        return down.forward(silu(gate.forward(x)).mul(up.forward(x)));
    }
}
