package membank.nn;

import static org.bytedeco.pytorch.global.torch.clear_cache;
import static org.bytedeco.pytorch.global.torch.get_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.is_autocast_enabled;
import static org.bytedeco.pytorch.global.torch.set_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Activation checkpointing of a sum of chunks, {@code out = sum_i chunk_i(inputs)}: forward keeps no
 * graph of the chunks; backward recomputes them one at a time and back-propagates each, so the
 * memory of a step holds one chunk's graph instead of all of them. libtorch's C++ API has no
 * checkpoint, and a custom autograd function cannot be written through JavaCPP, so two tensor
 * hooks stand in for one: the output is {@code out + 0 * sum(alias_j)} for an alias of each
 * input; the output's hook recomputes the chunks, and each alias's hook replaces the zero gradient
 * with the input's true one. Parameters the chunks read (not passed as inputs) get their
 * gradients from the recomputation directly. Autocast (of the output's device type) is re-entered
 * as it was at forward time.
 * The hooks are Java callbacks that native code holds: this object keeps them reachable until its
 * next {@link #sum}, so one instance serves one call site whose backward runs before it is called again.
 */
public final class Recompute {
    private final List<TensorTensorHook> live = new ArrayList<>();

    /** The i-th term of the sum, from the inputs (or their recomputation leaves). */
    @FunctionalInterface
    public interface Chunk {
        Tensor apply(int i, List<Tensor> inputs);
    }

    /**
     * {@code sum_i chunk(i, inputs)} for i in [0, chunks); the inputs that require gradients get
     * theirs (at least one must: it is what ties the sum to the graph), and the chunks must be
     * deterministic, since backward computes them again.
     */
    public Tensor sum(int chunks, List<Tensor> inputs, Chunk chunk) {
        if (inputs.stream().noneMatch(Tensor::requires_grad)) {
            throw new IllegalArgumentException("no input requires a gradient: nothing would call the recomputation");
        }
        // A scope frees tensors only when it closes, so each chunk gets its own: else every chunk's
        // temporaries would stay until the training step ends, which is what chunks avoid.
        Tensor out;
        try (Scope ignored = Scope.noGrad()) {
            out = Scope.freeingTemporaries(() -> chunk.apply(0, inputs), List::of);
            for (int i = 1; i < chunks; i++) {
                int c = i;
                try (Scope each = Scope.tensors()) {
                    out.add_(chunk.apply(c, inputs));
                }
            }
        }
        DeviceType device = out.device().type();
        boolean autocast = is_autocast_enabled(device);
        ScalarType autocastType = get_autocast_dtype(device);
        List<Tensor> aliases = new ArrayList<>();
        Tensor zero = null;
        for (Tensor input : inputs) {
            Tensor alias = input.requires_grad() ? input.view_as(input) : null;
            aliases.add(alias);
            if (alias != null) {
                Tensor term = alias.sum();
                zero = zero == null ? term : zero.add(term);
            }
        }
        Tensor result = out.add(zero.mul(Ops.scalar(0)).to(out.scalar_type()));
        Tensor[] gradients = new Tensor[inputs.size()];
        live.clear();
        live.add(new TensorTensorHook() {
            @Override
            public TensorBase call(TensorBase grad) {
                Tensor g = new Tensor(grad);
                try (AutoGradMode on = new AutoGradMode(true)) {
                    boolean was = is_autocast_enabled(device);
                    ScalarType wasType = get_autocast_dtype(device);
                    set_autocast_dtype(device, autocastType);
                    set_autocast_enabled(device, autocast);
                    try {
                        List<Tensor> leaves = new ArrayList<>();
                        for (Tensor input : inputs) {
                            // requires_grad_ returns a reference that does not own the tensor: keep detach()'s
                            Tensor leaf = input.detach();
                            leaf.set_requires_grad(input.requires_grad());
                            leaves.add(leaf);
                        }
                        for (int i = 0; i < chunks; i++) {
                            try (Scope each = Scope.tensors()) {
                                chunk.apply(i, leaves).backward(g, new BoolOptional(), false, new TensorArrayRefOptional());
                            }
                        }
                        for (int j = 0; j < leaves.size(); j++) {
                            gradients[j] = inputs.get(j).requires_grad() ? leaves.get(j).grad() : null;
                        }
                    } finally {
                        set_autocast_enabled(device, was);
                        set_autocast_dtype(device, wasType);
                        clear_cache();
                    }
                }
                return grad;
            }
        });
        result.register_hook(live.get(0));
        for (int j = 0; j < aliases.size(); j++) {
            if (aliases.get(j) == null) {
                continue;
            }
            int input = j;
            live.add(new TensorTensorHook() {
                @Override
                public TensorBase call(TensorBase grad) {
                    return gradients[input];
                }
            });
            aliases.get(j).register_hook(live.get(live.size() - 1));
        }
        return result;
    }
}
