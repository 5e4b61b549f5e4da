package membank.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.RouterLossConfig;
import membank.nn.Ops;

/**
 * The router decisions of one forward pass, layer by layer, and the router losses and statistics
 * computed from them (spec section 2). A forward records into a trace only when given one. A trace
 * made by {@link #withDenseReads} also records which rows dense layers read most (sparse memory
 * finetuning counts them).
 */
public final class RoutingTrace {
    /** One memory layer's decision; {@code layer} is the model layer index. */
    public record LayerRouting(int layer, Routing routing) {
    }

    /** The rows one dense memory layer read: the top-k rows by attention weight, [B, L, Hq, k] int64. */
    public record DenseRead(int layer, Tensor rows) {
    }

    private final List<LayerRouting> layers = new ArrayList<>();
    private final List<DenseRead> denseReads = new ArrayList<>();
    /** Rows per position and query head that count as read in a dense layer; 0: dense reads are not recorded. */
    private final int denseTopK;
    private final UnaryOperator<Tensor> globalUsage;

    public RoutingTrace() {
        this(0, UnaryOperator.identity());
    }

    /**
     * A trace whose load balance uses the chapter usage of the whole global batch, {@code
     * globalUsage} of this process's usage: a data-parallel rank sees only its rows, and the loss
     * is not linear in them.
     */
    public RoutingTrace(UnaryOperator<Tensor> globalUsage) {
        this(0, globalUsage);
    }

    private RoutingTrace(int denseTopK, UnaryOperator<Tensor> globalUsage) {
        this.denseTopK = denseTopK;
        this.globalUsage = globalUsage;
    }

    /** A trace that also records, per dense layer, the {@code topK} rows of highest attention weight of each position and head. */
    public static RoutingTrace withDenseReads(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("dense reads are recorded as the top k rows with k >= 1, not " + topK);
        }
        return new RoutingTrace(topK, UnaryOperator.identity());
    }

    /** How many rows per position and query head a dense read records; 0 when it records none. */
    int denseTopK() {
        return denseTopK;
    }

    void recordDense(int layer, Tensor rows) {
        denseReads.add(new DenseRead(layer, rows));
    }

    public List<DenseRead> denseReads() {
        return Collections.unmodifiableList(denseReads);
    }

    public void record(int layer, Routing routing) {
        layers.add(new LayerRouting(layer, routing));
    }

    /** The tensors recorded for model layer {@code layer}: its routing decisions and dense reads. */
    public List<Tensor> tensorsOf(int layer) {
        List<Tensor> out = new ArrayList<>();
        for (LayerRouting l : layers) {
            if (l.layer() == layer) {
                Routing r = l.routing();
                for (Tensor t : new Tensor[] {r.logits(), r.probs(), r.chapters(), r.weights()}) {
                    if (t != null) {
                        out.add(t);
                    }
                }
            }
        }
        for (DenseRead d : denseReads) {
            if (d.layer() == layer) {
                out.add(d.rows());
            }
        }
        return out;
    }

    public List<LayerRouting> layers() {
        return Collections.unmodifiableList(layers);
    }

    public boolean isEmpty() {
        return layers.isEmpty();
    }

    /**
     * Load balance {@code C' sum_c f_c P_c}, summed over layers. {@code f_c} is the fraction of
     * decisions choosing c divided by k; it is a count, so the gradient flows through {@code P_c}.
     */
    public Tensor loadBalance() {
        Tensor total = null;
        for (LayerRouting l : layers) {
            Routing r = l.routing();
            long routed = r.probs().size(-1);
            Tensor fraction = globalUsage.apply(usage(r));
            Tensor meanProb = Ops.mean(r.probs().reshape(-1, routed), 0, false);
            Tensor term = Ops.times(fraction.mul(meanProb).sum(), routed);
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /** z-loss {@code mean(logsumexp(logits)^2)}, summed over layers. */
    public Tensor zLoss() {
        Tensor total = null;
        for (LayerRouting l : layers) {
            Tensor lse = l.routing().logits().logsumexp(new long[] {-1}, false);
            Tensor term = Ops.square(lse).mean();
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /** The router losses weighted by their coefficients; null when there is nothing to add. */
    public Tensor auxLoss(RouterLossConfig coefficients) {
        if (coefficients == null || layers.isEmpty()) {
            return null;
        }
        Tensor loss = null;
        if (coefficients.loadBalance() > 0) {
            loss = Ops.times(loadBalance(), coefficients.loadBalance());
        }
        if (coefficients.z() > 0) {
            Tensor z = Ops.times(zLoss(), coefficients.z());
            loss = loss == null ? z : loss.add(z);
        }
        return loss;
    }

    /** Fraction of routing decisions (times k) that chose each routed chapter, [C']; sums to 1. */
    static Tensor usage(Routing r) {
        long routed = r.probs().size(-1);
        Tensor counts = Ops.bincount(r.chapters().reshape(-1), routed).to(ScalarType.Float);
        return Ops.dividedBy(counts, r.chapters().numel());
    }

    /** Mean entropy of the router distribution, in nats, averaged over layers. */
    public double entropy() {
        double sum = 0;
        for (LayerRouting l : layers) {
            sum += l.routing().entropy().mean().item_double();
        }
        return layers.isEmpty() ? Double.NaN : sum / layers.size();
    }

    /** Per-chapter usage averaged over layers (fractions summing to 1). */
    public double[] usage() {
        double[] total = null;
        for (LayerRouting l : layers) {
            float[] u = Ops.floats(usage(l.routing()));
            if (total == null) {
                total = new double[u.length];
            }
            for (int c = 0; c < u.length; c++) {
                total[c] += u[c] / layers.size();
            }
        }
        return total == null ? new double[0] : total;
    }

    /** Router statistics for metrics.jsonl: losses (unweighted), entropy and chapter usage. */
    public Map<String, Object> metrics() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (layers.isEmpty()) {
            return out;
        }
        out.put("router_load_balance", loadBalance().item_double());
        out.put("router_z", zLoss().item_double());
        out.put("router_entropy", entropy());
        double[] usage = usage();
        double max = 0;
        int unused = 0;
        for (double u : usage) {
            max = Math.max(max, u);
            unused += u == 0 ? 1 : 0;
        }
        out.put("router_max_usage", max);
        out.put("router_unused_chapters", unused);
        out.put("router_usage", usage);
        return out;
    }
}
