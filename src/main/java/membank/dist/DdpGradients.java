package membank.dist;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.Logger;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.StringLongMap;
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
    private final Logger logger;

    private DdpGradients(RankGroup group, Reducer reducer, Logger logger) {
        this.group = group;
        this.reducer = reducer;
        this.logger = logger;
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
        // get0() refers into the tuple: the tuple stays referenced until reversed() has copied it
        var assignment = torch.compute_bucket_assignment_by_size(params, new SizeTVector(first, cap),
                sparseFlags, new org.bytedeco.pytorch.LongVector(), new org.bytedeco.pytorch.LoggerOptional());
        SizeTVectorVector buckets = reversed(assignment.get0());
        java.lang.ref.Reference.reachabilityFence(assignment);
        // find_unused_parameters: a parameter a step does not reach (a chapter no token chose) would
        // otherwise leave its bucket waiting forever; gradient_as_bucket_view off, so the optimizer
        // sees ordinary gradients
        Reducer reducer = new Reducer(params, buckets, group.processGroup(), sparseFlags, cap, true, false, byIndex,
                first, false, false);
        // DDP's own logger times backward compute and the all-reduce of every step (sample rate 1)
        Logger logger = new Logger(reducer);
        reducer.set_logger(logger);
        logger.set_construction_data_and_log("MemoryLM", new int[0], -1, false, false, false);
        reducer.set_ddp_runtime_logging_sample_rate(1);
        return new DdpGradients(group, reducer, logger);
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
            // closes the previous step's timing, as DDP's forward does
            logger.set_runtime_stats_and_log();
            reducer.prepare_for_forward();
            try (TensorVector outputs = new TensorVector(loss)) {
                reducer.prepare_for_backward(outputs);
            }
        } catch (RuntimeException e) {
            throw group.lost("preparing the gradient all-reduce", e);
        }
    }

    /** DDP's averages over the steps so far, in ms: backward compute, all-reduce, and the two overlapping. */
    @Override
    public Map<String, Object> stats() {
        StringLongMap ints = logger.get_ddp_logging_data().ints_map();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ddp_backward_compute_ms", millis(ints, "avg_backward_compute_time"));
        out.put("ddp_allreduce_ms", millis(ints, "avg_backward_comm_time"));
        out.put("ddp_overlap_ms", millis(ints, "avg_backward_compute_comm_overlap_time"));
        return out;
    }

    private static double millis(StringLongMap ints, String key) {
        // operator[]: a key not yet measured reads 0
        return ints.get(new BytePointer(key)) / 1e6;
    }

    @Override
    public double mean(double local) {
        try (Tensor t = torch.tensor(local)) {
            group.averageInPlace(List.of(t));
            return t.item_double();
        }
    }

    @Override
    public Tensor mean(Tensor local) {
        Tensor t = local.detach().clone();
        group.averageInPlace(List.of(t));
        return t;
    }
}
