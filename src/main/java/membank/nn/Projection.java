package membank.nn;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * One of a block's named linear layers ({@code q_proj}, {@code gate_proj}, ...), optionally with a
 * LoRA update; modules call it instead of the bare layer so an adapter needs no other change.
 */
public final class Projection {
    private final LinearImpl linear;
    private Lora lora;

    Projection(LinearImpl linear) {
        this.linear = linear;
    }

    public Tensor forward(Tensor x) {
        Tensor y = linear.forward(x);
        return lora == null ? y : y.add(lora.delta(x, linear.is_training()));
    }

    /** Adds a LoRA update (registered inside this layer); a layer takes at most one. */
    public void addLora(int rank, double alpha, double dropout) {
        if (lora != null) {
            throw new IllegalStateException("this projection already has a LoRA update");
        }
        lora = Lora.attach(linear, rank, alpha, dropout);
    }

    public boolean hasLora() {
        return lora != null;
    }

    /** The weight with the LoRA update folded in (the plain weight without one). */
    public Tensor mergedWeight() {
        return lora == null ? linear.weight() : lora.merged(linear.weight());
    }
}
