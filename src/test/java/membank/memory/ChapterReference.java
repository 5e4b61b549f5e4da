package membank.memory;

import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.stack;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Ops;

/**
 * Slow, obvious reference for routed memory cross-attention (docs spec "memory-math", section 2,
 * Mixture of Chapters): the router written straight from the spec with explicit loops over batch
 * and position, independent of {@link ChapterRouter}, feeding the reference read of main
 * ({@link ReferenceRead}: loops over position, query head and chosen chapter). Every step is a differentiable libtorch op on a small slice
 * (select / narrow / matmul / softmax / cat / stack), so autograd gives gradients for x, the bank,
 * all projection weights and the router weight and bias. Speed does not matter.
 *
 * <p>Conventions fixed here (the spec is silent on them):
 * <ul>
 *   <li>Top-k ties are broken towards the lower routed-chapter index (a stable sort of p, descending).</li>
 *   <li>{@code valid} is used only for the sequence-mode mean; prefix and token routing ignore it.
 *       A sequence with no valid position is an error.</li>
 *   <li>Outputs are computed at every position, padding included (padding positions read with their
 *       sequence's routing).</li>
 * </ul>
 */
final class ChapterReference {

    private ChapterReference() {
    }

    /** The chapters one routing decision reads: absolute chapter ids and their weights w_c (0-dim tensors). */
    private record Route(int[] chapters, Tensor[] weights) {
    }

    /** y [B, L, d] of a routed memory read. */
    static Tensor forward(Tensor x /*[B,L,d], already normalised*/, Tensor bank /*[N,d]*/,
            Tensor wq /*[Hq*dh, d]*/, Tensor wk /*[Hkv*dh, d]*/, Tensor wv /*[Hkv*dh, d]*/, Tensor wo /*[d, Hq*dh]*/,
            Tensor routerWeight /*[C-S, d]*/, Tensor routerBias /*[C-S]*/,
            int heads, int kvHeads, int headDim,
            int count /*C*/, int topK /*k*/, int shared /*S*/, double routedScale /*alpha*/,
            String routing /*"sequence"|"prefix"|"token"*/, String mixing /*"independent"|"joint"*/,
            Tensor valid /*[B,L] float 1=real 0=padding, or null = all real; only used for the sequence-mode mean*/) {
        long[] xs = Ops.shape(x);
        int batch = (int) xs[0];
        int length = (int) xs[1];
        int n = (int) bank.size(0);
        int routed = count - shared;
        check(heads % kvHeads == 0, "heads must be a multiple of kvHeads");
        check(count > 0 && n % count == 0, "bank rows must split into C equal chapters");
        check(shared >= 0 && routed >= 1, "need 0 <= S < C");
        check(topK >= 1 && topK <= routed, "need 1 <= k <= C - S");
        check(routerWeight.size(0) == routed && routerBias.size(0) == routed, "router must have C - S outputs");
        check(mixing.equals("independent") || mixing.equals("joint"), "unknown mixing " + mixing);
        // The router of section 2, decision by decision: P = 1 per sequence (sequence routing) or L.
        int decisions = routing.equals("sequence") ? 1 : length;
        long[] chosen = new long[batch * decisions * topK];
        List<Tensor> weights = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Tensor> perDecision = new ArrayList<>();
            for (int t = 0; t < decisions; t++) {
                Route r = route(routerLogit(x, routerWeight, routerBias, routing, valid, b, t), shared, topK);
                for (int i = 0; i < topK; i++) {
                    chosen[(b * decisions + t) * topK + i] = r.chapters[i] - shared;
                }
                perDecision.add(stack(new TensorVector(r.weights), 0));
            }
            weights.add(stack(new TensorVector(perDecision.toArray(new Tensor[0])), 0));
        }
        // Sections 1-3 as loops: the reference read of main (ReadStrategy.REFERENCE).
        var chapters = new ReferenceRead.Mixing(count, shared, routedScale, mixing.equals("joint"));
        Tensor query = matmul(x, wq.t());                                                  // [B, L, Hq*dh]
        MemoryKv kv = new MemoryKv(heads(matmul(bank, wk.t()), kvHeads, headDim), heads(matmul(bank, wv.t()), kvHeads, headDim));
        Tensor o = ReferenceRead.bank(query, kv, heads, chapters, Ops.longs(chosen).view(batch, decisions, topK),
                stack(new TensorVector(weights.toArray(new Tensor[0])), 0));
        return matmul(o, wo.t());                                                          // [B, L, d]
    }

    /** [N, Hkv*dh] -> [Hkv, N, dh]. */
    private static Tensor heads(Tensor projected, int kvHeads, int headDim) {
        return projected.view(projected.size(0), kvHeads, headDim).transpose(0, 1);
    }

    /** Router logits [B, P, C-S] with P = 1 for sequence routing and L otherwise. */
    static Tensor routerLogits(Tensor x, Tensor routerWeight, Tensor routerBias, String routing, Tensor valid) {
        long[] xs = Ops.shape(x);
        int batch = (int) xs[0];
        int decisions = routing.equals("sequence") ? 1 : (int) xs[1];
        List<Tensor> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Tensor> perPosition = new ArrayList<>();
            for (int t = 0; t < decisions; t++) {
                perPosition.add(routerLogit(x, routerWeight, routerBias, routing, valid, b, t));
            }
            rows.add(stack(new TensorVector(perPosition.toArray(new Tensor[0])), 0));
        }
        return stack(new TensorVector(rows.toArray(new Tensor[0])), 0);
    }

    /**
     * load balance C' * sum_c f_c * P_c (f_c = fraction of routing decisions selecting c, divided by k; P_c = mean p_c
     * over decisions). Any leading shape is accepted: the last dimension is C', the rest are decisions.
     */
    static double loadBalance(Tensor logits /*[D, C']*/, int topK) {
        int routed = (int) logits.size(logits.dim() - 1);
        double[] all = doubles(logits);
        int decisions = all.length / routed;
        double[] f = new double[routed];
        double[] meanP = new double[routed];
        for (int i = 0; i < decisions; i++) {
            double[] p = softmaxOf(java.util.Arrays.copyOfRange(all, i * routed, (i + 1) * routed));
            for (int c : topIndices(p, topK)) {
                f[c] += 1.0 / decisions / topK;
            }
            for (int c = 0; c < routed; c++) {
                meanP[c] += p[c] / decisions;
            }
        }
        double sum = 0;
        for (int c = 0; c < routed; c++) {
            sum += f[c] * meanP[c];
        }
        return routed * sum;
    }

    /** mean over decisions of logsumexp(logits)^2. Any leading shape is accepted: the last dimension is C'. */
    static double zLoss(Tensor logits /*[D, C']*/) {
        int routed = (int) logits.size(logits.dim() - 1);
        double[] all = doubles(logits);
        int decisions = all.length / routed;
        double sum = 0;
        for (int i = 0; i < decisions; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < routed; c++) {
                max = Math.max(max, all[i * routed + c]);
            }
            double s = 0;
            for (int c = 0; c < routed; c++) {
                s += Math.exp(all[i * routed + c] - max);
            }
            double lse = max + Math.log(s);
            sum += lse * lse;
        }
        return sum / decisions;
    }

    /**
     * The router logits Wr u + br [C-S] of sequence b at position t, with u from the routing mode
     * (t is ignored for sequence routing).
     */
    private static Tensor routerLogit(Tensor x, Tensor routerWeight, Tensor routerBias, String routing, Tensor valid,
                                      int b, int t) {
        Tensor xb = x.select(0, b);                   // [L, d]
        Tensor u;
        switch (routing) {
            case "sequence" -> {
                int length = (int) xb.size(0);
                double[] mask = valid == null ? null : doubles(valid.select(0, b));
                Tensor sum = null;
                double weight = 0;
                for (int s = 0; s < length; s++) {
                    double m = mask == null ? 1.0 : mask[s];
                    if (m == 0.0) {
                        continue;
                    }
                    Tensor term = xb.select(0, s).mul(Ops.scalar(m));
                    sum = sum == null ? term : sum.add(term);
                    weight += m;
                }
                check(sum != null && weight > 0, "sequence " + b + " has no valid position");
                u = sum.div(Ops.scalar(weight));
            }
            case "prefix" -> {
                Tensor sum = null;
                for (int s = 0; s <= t; s++) {
                    sum = sum == null ? xb.select(0, s) : sum.add(xb.select(0, s));
                }
                u = sum.div(Ops.scalar(t + 1));
            }
            case "token" -> u = xb.select(0, t);
            default -> throw new IllegalArgumentException("unknown routing " + routing);
        }
        return matmul(routerWeight, u).add(routerBias);
    }

    /** p = softmax(logits), top = topk(p, k), w = p[top] / sum(p[top]); routed chapter j is chapter S + j. */
    private static Route route(Tensor logits /*[C-S]*/, int shared, int topK) {
        Tensor p = softmax(logits, 0);
        int[] top = topIndices(doubles(p), topK);
        Tensor total = null;
        for (int j : top) {
            total = total == null ? p.select(0, j) : total.add(p.select(0, j));
        }
        int[] chapters = new int[top.length];
        Tensor[] weights = new Tensor[top.length];
        for (int i = 0; i < top.length; i++) {
            chapters[i] = shared + top[i];
            weights[i] = p.select(0, top[i]).div(total);
        }
        return new Route(chapters, weights);
    }

    /** Indices of the k largest entries, largest first; ties go to the lower index. */
    static int[] topIndices(double[] p, int k) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, c) -> Double.compare(p[c], p[a]));   // stable: equal p keep index order
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }

    private static double[] softmaxOf(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < logits.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    static double[] doubles(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Double).contiguous();
        double[] out = new double[(int) c.numel()];
        c.data_ptr_double().capacity(out.length).get(out);
        return out;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
