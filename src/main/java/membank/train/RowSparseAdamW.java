package membank.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.model.CheckpointException;
import membank.model.SafeTensors;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Lazy AdamW for the bank ({@code training.bank_update: "rows_read"}): a step moves only the rows
 * whose gradient is not all zero, and leaves the weights, exp_avg and exp_avg_sq of every other row
 * exactly as they were (no weight decay, no momentum drift). On the rows it moves it repeats
 * libtorch's AdamW step (adamw.cpp) op for op: {@code p *= 1 - lr wd}, {@code m = b1 m + (1-b1) g},
 * {@code v = b2 v + (1-b2) g²}, {@code p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)}, where the bias
 * corrections use this optimizer's step count, not a count per row. So a row read at every step so
 * far follows dense AdamW exactly; a row read for the first time at step t gets the step-t bias
 * correction of a fresh moment (smaller steps than a dense start).
 */
final class RowSparseAdamW {
    static final String STEP = "step";
    private static final String EXP_AVG = DenseAdamW.EXP_AVG;
    private static final String EXP_AVG_SQ = DenseAdamW.EXP_AVG_SQ;

    /** Rows updated at a time. */
    private long rowBlock = 1 << 16;
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> expAvg = new LinkedHashMap<>();
    private final Map<String, Tensor> expAvgSq = new LinkedHashMap<>();
    private final double baseLr;
    private final double weightDecay;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private double lr;
    private long step;

    /** {@code params}: row tensors [rows, ...] by name, each updated row by row along dimension 0. */
    RowSparseAdamW(Map<String, Tensor> params, double lr, double weightDecay, double beta1, double beta2, double eps) {
        this.params = new LinkedHashMap<>(params);
        this.baseLr = lr;
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        // fp32 moments made up front (libtorch makes them at the first step): a row never read keeps zeros
        params.forEach((name, p) -> {
            expAvg.put(name, Ops.zeros(p, ScalarType.Float, Ops.shape(p)));
            expAvgSq.put(name, Ops.zeros(p, ScalarType.Float, Ops.shape(p)));
        });
    }

    /** The names of the tensors this updates. */
    Set<String> names() {
        return params.keySet();
    }

    void setLrFactor(double factor) {
        lr = baseLr * factor;
    }

    double lr() {
        return lr;
    }

    long stepCount() {
        return step;
    }

    Tensor expAvg(String name) {
        return expAvg.get(name);
    }

    Tensor expAvgSq(String name) {
        return expAvgSq.get(name);
    }

    /** Rows updated at a time (tests make it small to cover several blocks). */
    void setRowBlock(long rows) {
        rowBlock = rows;
    }

    /** As libtorch's Optimizer::zero_grad(true): gradients become undefined, not zero. */
    void zeroGrad() {
        params.values().forEach(p -> p.mutable_grad().reset());
    }

    /**
     * Sums the entries of sparse gradients that name the same row (a bank read by several layers,
     * or micro-batches, appends them): before clipping, whose norm must be the true row's.
     */
    void coalesceGradients() {
        params.values().forEach(p -> {
            Tensor grad = p.grad();
            if (grad.defined() && grad.is_sparse() && !grad.is_coalesced()) {
                p.mutable_grad().put(grad.coalesce());
            }
        });
    }

    /**
     * Applies global-norm clipping to sparse gradients as libtorch's clip_grad_norm_ does to dense
     * ones (max / (norm + 1e-6) when below 1): it counts sparse gradients in the norm, but its
     * in-place scaling reaches only a detached copy of them.
     */
    void clipSparseGradients(double norm, double max) {
        double coefficient = max / (norm + 1e-6);
        if (!(coefficient < 1)) {
            return;
        }
        params.values().forEach(p -> {
            Tensor grad = p.grad();
            if (grad.defined() && grad.is_sparse()) {
                p.mutable_grad().put(grad.mul(Ops.scalar(coefficient)));
            }
        });
    }

    /** One step at the current rate; the count (and so the bias correction) advances even if no row was read. */
    void step() {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        try (Scope ignored = Scope.noGrad()) {
            params.forEach((name, p) -> {
                Tensor grad = p.grad();
                if (grad.defined()) {
                    update(p, grad, expAvg.get(name), expAvgSq.get(name), bc1, bc2);
                }
            });
        }
    }

    private void update(Tensor p, Tensor grad, Tensor m, Tensor v, double bc1, double bc2) {
        Tensor rows;
        Tensor g;
        if (grad.is_sparse()) {
            // a routed read's sparse gradient names the rows read, even those whose gradient sums to zero
            Tensor summed = grad.coalesce();
            rows = summed.indices().select(0, 0);
            g = summed.values();
        } else {
            rows = grad.reshape(grad.size(0), -1).ne(Ops.scalar(0)).any(1).nonzero().view(-1);
            g = null;
        }
        long count = rows.size(0);
        // in blocks, each freeing its copies: when most rows are read, copies of all of them would
        // cost several banks of memory
        for (long first = 0; first < count; first += rowBlock) {
            try (Scope scope = Scope.tensors()) {
                long n = Math.min(rowBlock, count - first);
                Tensor block = rows.narrow(0, first, n);
                updateRows(p, g == null ? grad.index_select(0, block) : g.narrow(0, first, n), m, v, block, bc1, bc2);
            }
        }
    }

    private void updateRows(Tensor p, Tensor g, Tensor m, Tensor v, Tensor rows, double bc1, double bc2) {
        Tensor pr = p.index_select(0, rows);
        Tensor mr = m.index_select(0, rows);
        Tensor vr = v.index_select(0, rows);
        if (weightDecay != 0) {
            pr.mul_(Ops.scalar(1 - lr * weightDecay));
        }
        mr.mul_(Ops.scalar(beta1)).add_(g, Ops.scalar(1 - beta1));
        vr.mul_(Ops.scalar(beta2)).addcmul_(g, g, Ops.scalar(1 - beta2));
        Tensor denom = vr.sqrt().div(Ops.scalar(Math.sqrt(bc2)));
        denom.add_(Ops.scalar(eps));
        pr.addcdiv_(mr, denom, Ops.scalar(-(lr / bc1)));
        p.index_copy_(0, rows, pr);
        m.index_copy_(0, rows, mr);
        v.index_copy_(0, rows, vr);
    }

    /** The moments ({@code NAME.exp_avg}, {@code NAME.exp_avg_sq}) and the step count (metadata). */
    void save(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        params.keySet().forEach(name -> {
            tensors.put(name + EXP_AVG, expAvg.get(name));
            tensors.put(name + EXP_AVG_SQ, expAvgSq.get(name));
        });
        SafeTensors.write(file, tensors, Map.of(STEP, Long.toString(step)));
    }

    void load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + " is missing: a run with training.bank_update = \"rows_read\""
                    + " keeps the bank's optimizer state there; resume from a checkpoint written by such a run");
        }
        Map<String, Tensor> stored = SafeTensors.read(file);
        String count = SafeTensors.metadata(file).get(STEP);
        if (count == null || !count.matches("\\d+")) {
            throw new CheckpointException(file + ": metadata '" + STEP + "' is " + count + ", expected a step count");
        }
        try (Scope ignored = Scope.noGrad()) {
            params.forEach((name, p) -> {
                fill(file, name + EXP_AVG, stored, expAvg.get(name));
                fill(file, name + EXP_AVG_SQ, stored, expAvgSq.get(name));
            });
        }
        step = Long.parseLong(count);
    }

    private static void fill(Path file, String name, Map<String, Tensor> stored, Tensor into) {
        Tensor t = stored.get(name);
        if (t == null) {
            throw new CheckpointException(file + ": tensor '" + name + "' is missing");
        }
        SafeTensors.checkShape(file, name, t, Ops.shape(into));
        SafeTensors.checkType(file, name, t, ScalarType.Float);
        into.copy_(t);
    }
}
