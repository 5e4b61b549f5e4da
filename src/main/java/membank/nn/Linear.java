package membank.nn;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A linear layer registered in a module, seen by the model code as its forward and its tensors. */
public final class Linear {
    private final LinearImpl layer;

    private Linear(LinearImpl layer) {
        this.layer = layer;
    }

    /** Registers {@code layer} (one of {@link Layers}' factories) as {@code name} in {@code owner}. */
    public static Linear register(Module owner, String name, LinearImpl layer) {
        return new Linear(owner.register_module(name, layer));
    }

    public Tensor forward(Tensor x) {
        return layer.forward(x);
    }

    public Tensor weight() {
        return layer.weight();
    }

    public Tensor bias() {
        return layer.bias();
    }
}
