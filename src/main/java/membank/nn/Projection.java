package membank.nn;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

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

    /**
     * Each projection's forward of the same input, computed as one matmul over their weights
     * stacked by rows: x is read (and under autocast cast to bf16) once instead of once per
     * projection, and its gradient is one matmul's rather than a sum of several. Without a graph
     * (evaluation, decoding one token at a time) the stacking costs more than it saves: projections
     * run one by one there, as do those with a LoRA update or a mix of biased and unbiased ones.
     */
    static List<Tensor> forwardTogether(Tensor x, Projection... projections) {
        List<Tensor> out = new ArrayList<>();
        boolean biased = projections[0].linear.bias().defined();
        for (Projection p : projections) {
            if (!Scope.recordsGraph() || p.lora != null || p.linear.bias().defined() != biased) {
                for (Projection each : projections) {
                    out.add(each.forward(x));
                }
                return out;
            }
        }
        List<Tensor> weights = new ArrayList<>();
        List<Tensor> biases = new ArrayList<>();
        long[] widths = new long[projections.length];
        for (int i = 0; i < projections.length; i++) {
            weights.add(projections[i].linear.weight());
            biases.add(projections[i].linear.bias());
            widths[i] = projections[i].linear.weight().size(0);
        }
        Tensor weight = Ops.cat(weights, 0);
        Tensor y = biased ? Ops.linear(x, weight, Ops.cat(biases, 0)) : Ops.linear(x, weight);
        // split (not narrow): its backward joins the parts' gradients in one pass
        TensorVector parts = y.split(widths, -1);
        for (long i = 0; i < parts.size(); i++) {
            out.add(parts.get(i));
        }
        return out;
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
