package membank.train;

import static org.bytedeco.pytorch.global.torch.zeros_like;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.model.CheckpointException;
import membank.model.SafeTensors;
import membank.nn.FusedAdamW;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * AdamW (decoupled weight decay, no amsgrad) over groups of dense tensors, each group one call of
 * ATen's fused kernel. Its state is libtorch's AdamW's, kept per tensor and made at its first
 * gradient: {@code exp_avg}, {@code exp_avg_sq} (zeros like the tensor) and a step count; a tensor
 * without a gradient in a step is not touched (libtorch's rules: a frozen or unreached tensor has
 * no state, and the first step's moments take memory its activations freed). Checkpoints hold the state as safetensors
 * ({@code NAME.exp_avg}, {@code NAME.exp_avg_sq}, {@code NAME.step}); runs saved by libtorch's
 * AdamW ({@code optimizer.pt}) resume from that archive.
 */
final class DenseAdamW {
    static final String FILE = "optimizer.safetensors";
    /** What libtorch's AdamW wrote before this class replaced it. */
    static final String LEGACY_FILE = "optimizer.pt";
    /** Suffixes of a tensor's moments in optimizer state files (this one's and the row-sparse bank's). */
    static final String EXP_AVG = ".exp_avg";
    static final String EXP_AVG_SQ = ".exp_avg_sq";
    private static final String STEP = ".step";

    /** One parameter group: its tensors by name, base learning rate and weight decay. */
    record Group(Map<String, Tensor> params, double baseLr, double weightDecay) {
    }

    private final List<Group> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final FusedAdamW kernel = new FusedAdamW();
    private final Map<String, Tensor> expAvg = new HashMap<>();
    private final Map<String, Tensor> expAvgSq = new HashMap<>();
    /** One-element float tensors on the parameter's device, as the fused kernel reads them. */
    private final Map<String, Tensor> steps = new HashMap<>();
    private double lrFactor = 1;

    DenseAdamW(List<Group> groups, double beta1, double beta2, double eps) {
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    void setLrFactor(double factor) {
        lrFactor = factor;
    }

    double lr(int group) {
        return groups.get(group).baseLr() * lrFactor;
    }

    void zeroGrad() {
        groups.forEach(g -> g.params().values().forEach(p -> p.mutable_grad().reset()));
    }

    void step() {
        try (Scope ignored = Scope.noGrad()) {
            Scalar one = Ops.scalar(1);
            for (Group group : groups) {
                List<Tensor> params = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                List<Tensor> moments = new ArrayList<>();
                List<Tensor> squares = new ArrayList<>();
                List<Tensor> counts = new ArrayList<>();
                group.params().forEach((name, p) -> {
                    Tensor grad = p.grad();
                    if (!grad.defined()) {
                        return;
                    }
                    if (grad.is_sparse()) {
                        throw new IllegalStateException("parameter " + name + " has a sparse gradient, which the dense"
                                + " AdamW cannot apply; only the bank takes sparse updates (training.bank_update)");
                    }
                    Tensor count = state(name, p);
                    count.add_(one);
                    params.add(p);
                    grads.add(grad);
                    moments.add(expAvg.get(name));
                    squares.add(expAvgSq.get(name));
                    counts.add(count);
                });
                if (!params.isEmpty()) {
                    kernel.step(params, grads, moments, squares, counts,
                            new FusedAdamW.Hyper(group.baseLr() * lrFactor, beta1, beta2, group.weightDecay(), eps));
                }
            }
        }
    }

    /** The tensor's step count, its moments made first if this is its first gradient. */
    private Tensor state(String name, Tensor p) {
        Tensor count = steps.get(name);
        if (count == null) {
            // made inside a training step, whose Scope would free them when it ends
            expAvg.put(name, Scope.kept(() -> zeros_like(p)));
            expAvgSq.put(name, Scope.kept(() -> zeros_like(p)));
            count = Scope.kept(() -> Ops.zeros(p, ScalarType.Float, 1));
            steps.put(name, count);
        }
        return count;
    }

    void save(Path dir) {
        SafeTensors.write(dir.resolve(FILE), state(), Map.of());
    }

    /** Every tensor's moments and step count, named as the checkpoint names them. */
    Map<String, Tensor> state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        forEachParam((name, p) -> {
            if (steps.containsKey(name)) {
                tensors.put(name + EXP_AVG, expAvg.get(name));
                tensors.put(name + EXP_AVG_SQ, expAvgSq.get(name));
                tensors.put(name + STEP, steps.get(name));
            }
        });
        return tensors;
    }

    /** Restores the state from {@code dir}'s {@link #FILE}, or from libtorch's archive in older runs. */
    void load(Path dir) {
        Path file = dir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            loadTensors(file);
        } else if (Files.isRegularFile(dir.resolve(LEGACY_FILE))) {
            loadLegacy(dir.resolve(LEGACY_FILE));
        } else {
            throw new CheckpointException(file + " is missing: the checkpoint has no optimizer state");
        }
    }

    private void loadTensors(Path file) {
        Map<String, Tensor> stored = SafeTensors.read(file);
        Map<String, Tensor> known = new HashMap<>();
        forEachParam(known::put);
        for (String key : stored.keySet()) {
            String name = key.substring(0, key.lastIndexOf('.'));
            if (!known.containsKey(name)) {
                throw new CheckpointException(file + ": state for '" + name + "', which this run does not train");
            }
        }
        forEachParam((name, p) -> {
            Tensor count = stored.get(name + STEP);
            if (count != null) {
                restore(file, name, p, stored.get(name + EXP_AVG), stored.get(name + EXP_AVG_SQ), count.item_float());
            }
        });
    }

    /**
     * libtorch's archive keys each tensor's state by an address, listed per group in the order the
     * tensors were given; the groups and their order are the same as this optimizer's.
     */
    private void loadLegacy(Path file) {
        InputArchive archive = new InputArchive();
        archive.load_from(file.toString());
        InputArchive state = sub(archive, "state");
        InputArchive groupsArchive = sub(archive, "param_groups");
        for (int g = 0; g < groups.size(); g++) {
            InputArchive params = sub(groupsArchive, "param_groups/" + g);
            int i = 0;
            for (var entry : groups.get(g).params().entrySet()) {
                IValue key = new IValue();
                params.read("params/" + i++, key);
                InputArchive tensor = new InputArchive();
                if (!state.try_read(key.toStringRef().getString(), tensor)) {
                    continue;
                }
                IValue count = new IValue();
                tensor.read("step", count);
                Tensor m = new Tensor();
                Tensor v = new Tensor();
                tensor.read("exp_avg", m);
                tensor.read("exp_avg_sq", v);
                restore(file, entry.getKey(), entry.getValue(), m, v, count.toInt());
            }
        }
    }

    private static InputArchive sub(InputArchive archive, String key) {
        InputArchive sub = new InputArchive();
        archive.read(key, sub);
        return sub;
    }

    private void restore(Path file, String name, Tensor p, Tensor m, Tensor v, double count) {
        if (m == null || v == null) {
            throw new CheckpointException(file + ": moments of '" + name + "' are missing");
        }
        SafeTensors.checkShape(file, name + EXP_AVG, m, Ops.shape(p));
        SafeTensors.checkShape(file, name + EXP_AVG_SQ, v, Ops.shape(p));
        try (Scope ignored = Scope.noGrad()) {
            Tensor step = state(name, p);
            expAvg.get(name).copy_(m);
            expAvgSq.get(name).copy_(v);
            step.fill_(Ops.scalar(count));
        }
    }

    private void forEachParam(java.util.function.BiConsumer<String, Tensor> action) {
        groups.forEach(g -> g.params().forEach(action));
    }
}
