package membank.nn;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.EmbeddingOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Layers and parameters as membank makes them (initialised as in Hugging Face), and a module's
 * tensors by name; {@link Ops} holds what is done with tensors.
 */
public final class Layers {
    /** Standard deviation of the normal initialisation of weights, as in Hugging Face. */
    public static final double INIT_STD = 0.02;

    static {
        // every module is built through these helpers, so this is the first native work of a process
        NativeRuntime.ensureConfigured();
    }

    private Layers() {
    }

    /** A linear layer {@code in -> out} initialised N(0, 0.02), bias zero. */
    public static LinearImpl linear(long in, long out, boolean bias) {
        LinearOptions options = new LinearOptions(in, out);
        options.bias().put(bias);
        LinearImpl layer = new LinearImpl(options);
        try (Scope ignored = Scope.noGrad()) {
            Ops.normal_(layer.weight(), 0.0, INIT_STD);
            if (bias) {
                layer.bias().zero_();
            }
        }
        return layer;
    }

    /** A linear layer {@code in -> out} without bias, initialised N(0, std). */
    public static LinearImpl normalLinear(long in, long out, double std) {
        LinearImpl layer = linear(in, out, false);
        try (Scope ignored = Scope.noGrad()) {
            Ops.normal_(layer.weight(), 0.0, std);
        }
        return layer;
    }

    /** An embedding table [vocab, dim] initialised N(0, 0.02), as in Hugging Face. */
    public static EmbeddingImpl embedding(long vocab, long dim) {
        EmbeddingImpl table = new EmbeddingImpl(new EmbeddingOptions(vocab, dim));
        try (Scope ignored = Scope.noGrad()) {
            Ops.normal_(table.weight(), 0.0, INIT_STD);
        }
        return table;
    }

    /** The parameters of {@code module} and its submodules by dotted name, in registration order. */
    public static Map<String, Tensor> namedParameters(Module module) {
        return byName(module.named_parameters());
    }

    /** The buffers of {@code module} and its submodules by dotted name, in registration order. */
    public static Map<String, Tensor> namedBuffers(Module module) {
        return byName(module.named_buffers());
    }

    private static Map<String, Tensor> byName(StringTensorDict dict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            // value() points into the dict, which the garbage collector may free once this returns:
            // an owning handle to the same tensor outlives it
            out.put(dict.get(i).key().getString(), new Tensor(dict.get(i).value()));
        }
        return out;
    }

    /** A zero-initialised linear layer: a freshly added memory output projection is the identity. */
    public static LinearImpl zeroLinear(long in, long out) {
        LinearImpl layer = linear(in, out, false);
        try (Scope ignored = Scope.noGrad()) {
            layer.weight().zero_();
        }
        return layer;
    }

    /** A tensor of {@code shape} drawn from N(0, std): a parameter not inside a layer. */
    public static Tensor normalInit(long[] shape, double std) {
        Tensor t = org.bytedeco.pytorch.global.torch.empty(shape);
        try (Scope ignored = Scope.noGrad()) {
            Ops.normal_(t, 0.0, std);
        }
        return t;
    }
}
