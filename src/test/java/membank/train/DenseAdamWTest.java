package membank.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.model.CheckpointException;

/**
 * The fused AdamW against libtorch's own C++ AdamW (the optimizer it replaced): two groups with
 * their own rate and decay, a tensor that has no gradient in some steps, a schedule factor, and a
 * state saved by libtorch's AdamW and resumed here.
 */
class DenseAdamWTest {
    private static final double LR = 0.01;
    private static final double DECAY = 0.1;
    /** Step 2 leaves the second tensor without a gradient. */
    private static final int NO_GRAD_STEP = 2;

    /** Three tensors: "a" and "b" (decayed group), "c" (no decay, half the rate). */
    private static Map<String, Tensor> params(long seed) {
        manual_seed(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("a", leaf(randn(new long[] {5, 3})));
        p.put("b", leaf(randn(new long[] {7})));
        p.put("c", leaf(randn(new long[] {4, 2})));
        return p;
    }

    private static DenseAdamW dense(Map<String, Tensor> p) {
        return new DenseAdamW(List.of(
                new DenseAdamW.Group(ordered(p, "a", "b"), LR, DECAY),
                new DenseAdamW.Group(Map.of("c", p.get("c")), LR / 2, 0.0)), 0.9, 0.95, 1e-8);
    }

    /** libtorch's AdamW with the same groups, in the same order. */
    private static AdamW libtorch(Map<String, Tensor> p) {
        AdamW opt = new AdamW(new TensorVector(p.get("a"), p.get("b")), options(LR, DECAY));
        opt.add_param_group(new OptimizerParamGroup(new TensorVector(p.get("c")), options(LR / 2, 0.0)));
        return opt;
    }

    private static AdamWOptions options(double lr, double decay) {
        AdamWOptions o = new AdamWOptions(lr);
        boolean reversed = new AdamWOptions().betas().get(0) != 0.9;
        o.betas().put(reversed ? 1 : 0, 0.9).put(reversed ? 0 : 1, 0.95);
        o.eps().put(1e-8);
        o.weight_decay().put(decay);
        return o;
    }

    /** Sets each gradient to fixed random values (none for "b" at {@link #NO_GRAD_STEP}). */
    private static void gradients(Map<String, Tensor> p, int step) {
        manual_seed(1000 + step);
        p.forEach((name, t) -> {
            Tensor g = randn(t.sizes().vec().get());
            t.mutable_grad().reset();
            if (!(name.equals("b") && step == NO_GRAD_STEP)) {
                t.mutable_grad().put(g);
            }
        });
    }

    private static double maxDiff(Map<String, Tensor> x, Map<String, Tensor> y) {
        double max = 0;
        for (String name : x.keySet()) {
            max = Math.max(max, x.get(name).detach().sub(y.get(name).detach()).abs().max().item_double());
        }
        return max;
    }

    @Test
    void followsLibtorchAdamW() {
        Map<String, Tensor> ours = params(1);
        Map<String, Tensor> theirs = params(1);
        DenseAdamW dense = dense(ours);
        AdamW reference = libtorch(theirs);
        for (int step = 0; step < 6; step++) {
            double factor = 1.0 - 0.1 * step;
            gradients(ours, step);
            gradients(theirs, step);
            dense.setLrFactor(factor);
            dense.step();
            for (int g = 0; g < 2; g++) {
                reference.param_groups().get(g).options().set_lr((g == 0 ? LR : LR / 2) * factor);
            }
            reference.step();
        }
        assertTrue(maxDiff(ours, params(1)) > 1e-3, "the optimizer moved the weights");
        assertEquals(0, maxDiff(ours, theirs), 1e-6);
    }

    @Test
    void resumesFromItsOwnStateAndFromLibtorchsArchive(@TempDir Path dir) throws Exception {
        Map<String, Tensor> whole = params(2);
        DenseAdamW wholeRun = dense(whole);
        Map<String, Tensor> legacy = params(2);
        AdamW legacyRun = libtorch(legacy);
        for (int step = 0; step < 3; step++) {
            gradients(whole, step);
            wholeRun.step();
            gradients(legacy, step);
            legacyRun.step();
        }
        wholeRun.save(dir);
        OutputArchive archive = new OutputArchive();
        legacyRun.save(archive);
        Path legacyDir = Files.createDirectories(dir.resolve("legacy"));
        archive.save_to(legacyDir.resolve(DenseAdamW.LEGACY_FILE).toString());

        Map<String, Tensor> resumed = copy(whole);
        DenseAdamW resumedRun = dense(resumed);
        resumedRun.load(dir);
        Map<String, Tensor> fromLegacy = copy(legacy);
        DenseAdamW fromLegacyRun = dense(fromLegacy);
        fromLegacyRun.load(legacyDir);
        for (int step = 3; step < 6; step++) {
            for (var run : List.of(Map.entry(whole, wholeRun), Map.entry(resumed, resumedRun), Map.entry(fromLegacy, fromLegacyRun))) {
                gradients(run.getKey(), step);
                run.getValue().step();
            }
        }
        assertEquals(0, maxDiff(resumed, whole), 0.0, "resumed from optimizer.safetensors: bit-exact");
        assertEquals(0, maxDiff(fromLegacy, whole), 1e-6, "resumed from libtorch's optimizer.pt");
    }

    @Test
    void refusesStateOfATensorItDoesNotTrain(@TempDir Path dir) {
        Map<String, Tensor> p = params(3);
        DenseAdamW trained = dense(p);
        gradients(p, 0);
        trained.step();
        trained.save(dir);
        Map<String, Tensor> fewer = new LinkedHashMap<>(p);
        fewer.remove("c");
        DenseAdamW other = new DenseAdamW(List.of(new DenseAdamW.Group(fewer, LR, DECAY)), 0.9, 0.95, 1e-8);
        CheckpointException e = assertThrows(CheckpointException.class, () -> other.load(dir));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }

    /** A group's tensors in the order libtorch's AdamW was given them. */
    private static Map<String, Tensor> ordered(Map<String, Tensor> p, String... names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, p.get(name));
        }
        return out;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> p) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        p.forEach((name, t) -> out.put(name, leaf(t.detach().clone())));
        return out;
    }

    /** {@code t} made a leaf that requires gradients; requires_grad_'s result does not own the tensor. */
    private static Tensor leaf(Tensor t) {
        t.set_requires_grad(true);
        return t;
    }
}
