package membank.nn;

import static org.bytedeco.pytorch.global.torch.silu;

import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** The gated MLP of Llama/Qwen2: {@code down(silu(gate(x)) * up(x))}. */
public final class SwiGlu extends Module {
    private final Projection gate;
    private final Projection up;
    private final Projection down;

    public SwiGlu(long dim, long hidden) {
        this.gate = new Projection(register_module("gate_proj", Layers.linear(dim, hidden, false)));
        this.up = new Projection(register_module("up_proj", Layers.linear(dim, hidden, false)));
        this.down = new Projection(register_module("down_proj", Layers.linear(hidden, dim, false)));
    }

    /** The projections by their Hugging Face names, for adapters. */
    public Map<String, Projection> projections() {
        return Map.of("gate_proj", gate, "up_proj", up, "down_proj", down);
    }

    public Tensor forward(Tensor x) {
        List<Tensor> gateUp = Projection.forwardTogether(x, gate, up);
        return down.forward(silu(gateUp.get(0)).mul(gateUp.get(1)));
    }
}
