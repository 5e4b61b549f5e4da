package membank.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import membank.train.GradientSync;

/**
 * Gradients averaged by PyTorch DDP's own Reducer: it hooks every parameter's gradient
 * accumulator, copies gradients into buckets (about 25 MiB, the first 1 MiB) as backward produces
 * them and all-reduces each bucket as soon as it is full, overlapping with the rest of backward,
 * then writes the averages back before backward returns. As in DDP, a micro-batch that is not the
 * last of an accumulated step is not announced, so its gradients only accumulate locally.
 */
final class DdpGradients implements GradientSync {
    private final RankGroup group;
    private final Reducer reducer;

    private DdpGradients(RankGroup group, Reducer reducer) {
        this.group = group;
        this.reducer = reducer;
    }

    /** {@code sparse} names the parameters whose gradients are sparse (the row-sparse bank). */
    static DdpGradients over(RankGroup group, Map<String, Tensor> trainable, Set<String> sparse) {
        List<String> names = new ArrayList<>(trainable.keySet());
        TensorVector params = new TensorVector(trainable.values().toArray(Tensor[]::new));
        boolean[] expectSparse = new boolean[names.size()];
        SizeTStringMap byIndex = new SizeTStringMap();
        for (int i = 0; i < names.size(); i++) {
            expectSparse[i] = sparse.contains(names.get(i));
            byIndex.put(i, names.get(i));
        }
        BoolVector sparseFlags = new BoolVector(expectSparse);
        long cap = torch.kDefaultBucketBytesCap();
        long first = torch.kDefaultFirstBucketBytes();
        SizeTVectorVector buckets = reversed(torch.compute_bucket_assignment_by_size(params, new SizeTVector(first, cap),
                sparseFlags, new org.bytedeco.pytorch.LongVector(), new org.bytedeco.pytorch.LoggerOptional()).get0());
        // find_unused_parameters: a parameter a step does not reach (a chapter no token chose) would
        // otherwise leave its bucket waiting forever; gradient_as_bucket_view off, so the optimizer
        // sees ordinary gradients
        Reducer reducer = new Reducer(params, buckets, group.processGroup(), sparseFlags, cap, true, false, byIndex,
                first, false, false);
        return new DdpGradients(group, reducer);
    }

    /** DDP hands the Reducer its buckets last-parameter first: backward produces those gradients first. */
    private static SizeTVectorVector reversed(SizeTVectorVector buckets) {
        SizeTVectorVector out = new SizeTVectorVector();
        for (long i = buckets.size() - 1; i >= 0; i--) {
            out.push_back(buckets.get(i));
        }
        return out;
    }

    @Override
    public void beforeBackward(Tensor loss, boolean reduce) {
        if (!reduce) {
            return;
        }
        try {
            // after the first step the Reducer re-buckets in the order gradients actually arrived
            reducer.rebuild_buckets();
            reducer.prepare_for_forward();
            reducer.prepare_for_backward(new TensorVector(loss));
        } catch (RuntimeException e) {
            throw group.lost("preparing the gradient all-reduce", e);
        }
    }

    @Override
    public double mean(double local) {
        Tensor t = torch.tensor(local);
        group.averageInPlace(List.of(t));
        return t.item_double();
    }

    @Override
    public Tensor mean(Tensor local) {
        Tensor t = local.detach().clone();
        group.averageInPlace(List.of(t));
        return t;
    }
}
