package membank.nn;

import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorList;

/**
 * ATen's fused AdamW kernel ({@code aten::_fused_adamw_}, what {@code torch.optim.AdamW(fused=True)}
 * calls): one pass over each tensor's weights, gradient and moments, where libtorch's C++ AdamW makes
 * seven element-wise passes and a temporary per tensor (3x slower on a 28M-parameter model,
 * docs/benchmarks.md). The JavaCPP presets do not map it, so it is called through the dispatcher.
 */
public final class FusedAdamW {
    private final OperatorHandle op = Dispatcher.singleton().findSchemaOrThrow("aten::_fused_adamw_", "");

    /** Hyperparameters of one call: a parameter group's rate and decay and the shared betas and eps. */
    public record Hyper(double lr, double beta1, double beta2, double weightDecay, double eps) {
    }

    /**
     * Updates {@code params}, {@code expAvgs} and {@code expAvgSqs} in place. {@code steps} are
     * one-element float tensors, one per parameter, already counting this step (the kernel reads
     * them for the bias corrections and does not increment them).
     */
    public void step(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
                     List<Tensor> steps, Hyper h) {
        IValueVector stack = new IValueVector(list(params), list(grads), list(expAvgs), list(expAvgSqs), list(List.of()),
                list(steps), new IValue(h.lr()), new IValue(h.beta1()), new IValue(h.beta2()), new IValue(h.weightDecay()),
                new IValue(h.eps()), new IValue(false), new IValue(false), new IValue(), new IValue());
        op.callBoxed(stack);
    }

    /** A Tensor[] argument: c10::List<Tensor> and the generic list share one layout, whose element type says Tensor. */
    private static IValue list(List<Tensor> tensors) {
        TensorList list = new TensorList();
        tensors.forEach(list::push_back);
        return new IValue(new GenericList((Pointer) list));
    }
}
