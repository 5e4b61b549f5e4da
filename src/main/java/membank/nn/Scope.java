package membank.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A block of tensor work, in try-with-resources: what JavaCPP's PointerScope and libtorch's
 * no-grad guard are to the rest of membank. JavaCPP frees a native tensor when its Java handle is
 * collected, or when the PointerScope it was made in closes; a step's temporaries are therefore
 * freed by a scope around the step, not by the garbage collector, and state made inside such a
 * step must be {@link #kept} out of it.
 */
public final class Scope implements AutoCloseable {
    private final PointerScope pointers;
    private final NoGradGuard noGrad;

    private Scope(boolean freeTensors, boolean recordNoGraph) {
        this.pointers = freeTensors ? new PointerScope() : null;
        this.noGrad = recordNoGraph ? new NoGradGuard() : null;
    }

    /** Frees every tensor made inside when it closes (a training step). */
    public static Scope tensors() {
        return new Scope(true, false);
    }

    /** Frees every tensor made inside when it closes, and records no autograd graph (evaluation). */
    public static Scope inference() {
        return new Scope(true, true);
    }

    /** Records no autograd graph; tensors made inside live on (initialisation, optimizer updates). */
    public static Scope noGrad() {
        return new Scope(false, true);
    }

    /**
     * A tensor that no enclosing scope frees: made in a scope of its own (which frees its
     * temporaries) and retained, so it lives as long as Java references it.
     */
    public static Tensor kept(Supplier<Tensor> make) {
        try (PointerScope own = new PointerScope()) {
            Tensor t = make.get();
            t.retainReference();
            return t;
        }
    }

    /**
     * The tensor {@code make} returns, made in a scope of its own that frees every other tensor
     * made inside when {@code make} returns, except those {@code alsoKept} names then: they and the
     * result move to the enclosing scope (to the garbage collector when there is none). For blocks
     * that store no other tensor: autograd's graph holds what backward needs by itself, but a Java
     * handle stored for later (a cache, a hook's inputs) would dangle.
     */
    public static Tensor freeingTemporaries(Supplier<Tensor> make, Supplier<List<Tensor>> alsoKept) {
        PointerScope outer = PointerScope.getInnerScope();
        try (PointerScope own = new PointerScope()) {
            Tensor t = make.get();
            List<Tensor> out = new ArrayList<>(alsoKept.get());
            out.add(t);
            // one more reference each, which the enclosing scope gives back when it closes: own's
            // close then leaves them alive, whatever scope (if any) they were made in
            for (Tensor each : out) {
                if (outer != null) {
                    outer.attach(each);
                } else {
                    each.retainReference();
                }
            }
            return t;
        }
    }

    /** Whether autograd records a graph here (false inside a no-grad or inference scope). */
    public static boolean recordsGraph() {
        return org.bytedeco.pytorch.GradMode.is_enabled();
    }

    @Override
    public void close() {
        if (noGrad != null) {
            noGrad.close();
        }
        if (pointers != null) {
            pointers.close();
        }
    }
}
