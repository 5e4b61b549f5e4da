package membank.train;

import static org.bytedeco.pytorch.global.torch.clip_grad_norm_;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import membank.config.TrainConfig;
import membank.model.MemoryLM;
import membank.model.ParameterRole;

/**
 * AdamW with one parameter group per {@link ParamGroup} ({@link #groups}): its own base learning rate and weight
 * decay ({@link DenseAdamW}, ATen's fused kernel). The schedule scales every group's base rate by
 * the same factor. With
 * {@code training.bank_update = "rows_read"} the bank group is left out of the dense AdamW and
 * given to {@link RowSparseAdamW} (same rate, decay, betas and eps), which moves only rows read.
 */
final class GroupedAdamW {
    static final String BANK_FILE = "bank_optimizer.safetensors";
    /** Null when every trainable tensor is a bank taking the row-sparse update. */
    private final DenseAdamW optimizer;
    /** Null unless the bank takes the row-sparse update. */
    private final RowSparseAdamW bankRows;
    private final List<ParamGroup> order = new ArrayList<>();
    private final TensorVector allParams = new TensorVector();

    /** The optimizer of {@code model}'s parameters {@code trainable}, grouped by the role each was registered with. */
    static GroupedAdamW of(MemoryLM model, Map<String, Tensor> trainable, TrainConfig t) {
        return new GroupedAdamW(trainable, model::role, t);
    }

    /** @param roles the role of each parameter by name ({@link MemoryLM#role}) */
    GroupedAdamW(Map<String, Tensor> trainable, Function<String, ParameterRole> roles, TrainConfig t) {
        Map<ParamGroup, Map<String, Tensor>> byGroup = groups(trainable, roles);
        // null unless there is a bank that takes the row-sparse update
        Map<String, Tensor> sparse = t.rowSparseBank() ? byGroup.remove(ParamGroup.BANK) : null;
        // clipping still sees every tensor, the bank included
        trainable.values().forEach(allParams::push_back);
        if (byGroup.isEmpty() && sparse == null) {
            throw new IllegalArgumentException("nothing to train: no parameter requires gradient");
        }
        bankRows = sparse == null ? null : new RowSparseAdamW(sparse, t.effectiveBankLr(), t.bankWeightDecay(),
                t.beta1(), t.beta2(), t.eps());
        List<DenseAdamW.Group> groups = new ArrayList<>();
        byGroup.forEach((group, params) -> {
            groups.add(new DenseAdamW.Group(params, lr(group, t), weightDecay(group, t)));
            order.add(group);
        });
        optimizer = groups.isEmpty() ? null : new DenseAdamW(groups, t.beta1(), t.beta2(), t.eps());
    }

    /**
     * The optimizer groups, made in this one place as nanoGPT's configure_optimizers makes them: by
     * the role a parameter was registered with (bank, memory layer, backbone), and, but for the
     * bank, by whether weight decay applies to it: matrices decay, vectors (norms, biases) do not.
     */
    static Map<ParamGroup, Map<String, Tensor>> groups(Map<String, Tensor> trainable, Function<String, ParameterRole> roles) {
        Map<ParamGroup, Map<String, Tensor>> out = new EnumMap<>(ParamGroup.class);
        trainable.forEach((name, p) -> {
            boolean decays = p.dim() >= 2;
            ParamGroup group = switch (roles.apply(name)) {
                case BANK -> ParamGroup.BANK;
                case MEMORY_LAYER -> decays ? ParamGroup.MEMORY : ParamGroup.MEMORY_NO_DECAY;
                case BACKBONE -> decays ? ParamGroup.BASE : ParamGroup.BASE_NO_DECAY;
            };
            out.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(name, p);
        });
        return out;
    }

    /** Each group's base learning rate. */
    private static double lr(ParamGroup group, TrainConfig t) {
        return switch (group) {
            case BANK -> t.effectiveBankLr();
            case MEMORY, MEMORY_NO_DECAY -> t.effectiveMemoryLr();
            default -> t.lr();
        };
    }

    /** Each group's weight decay. */
    private static double weightDecay(ParamGroup group, TrainConfig t) {
        return switch (group) {
            case BANK -> t.bankWeightDecay();
            case MEMORY, BASE -> t.weightDecay();
            default -> 0.0;
        };
    }

    void setLrFactor(double factor) {
        if (bankRows != null) {
            bankRows.setLrFactor(factor);
        }
        if (optimizer != null) {
            optimizer.setLrFactor(factor);
        }
    }

    double lr(ParamGroup group) {
        if (group == ParamGroup.BANK && bankRows != null) {
            return bankRows.lr();
        }
        int i = order.indexOf(group);
        return i < 0 ? Double.NaN : optimizer.lr(i);
    }
    /**
     * Global-norm clipping of every gradient, the bank's included; returns the norm before clipping.
     * A row-sparse bank's sparse gradients are summed per row first and scaled here, since libtorch's
     * clip_grad_norm_ counts them in the norm but scales only a detached copy.
     */
    double clipGradNorm(double max) {
        if (bankRows != null) {
            bankRows.coalesceGradients();
        }
        double norm = clip_grad_norm_(allParams, max);
        if (bankRows != null) {
            bankRows.clipSparseGradients(norm, max);
        }
        return norm;
    }

    /** The row-sparse bank optimizer, or null when the bank (if any) is in the dense AdamW. */
    RowSparseAdamW bankRows() {
        return bankRows;
    }

    void zeroGrad() {
        if (optimizer != null) {
            optimizer.zeroGrad();
        }
        if (bankRows != null) {
            bankRows.zeroGrad();
        }
    }

    void step() {
        if (optimizer != null) {
            optimizer.step();
        }
        if (bankRows != null) {
            bankRows.step();
        }
    }

    /**
     * The moments and step counts into checkpoint directory {@code dir}: {@link DenseAdamW#FILE},
     * and with the row-sparse bank {@link #BANK_FILE} (safetensors), which is not written otherwise.
     */
    void save(Path dir) {
        if (optimizer != null) {
            optimizer.save(dir);
        }
        if (bankRows != null) {
            bankRows.save(dir.resolve(BANK_FILE));
        }
    }

    /** All optimizer state by name: the dense AdamW's and the row-sparse bank's moments and step counts. */
    Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (optimizer != null) {
            out.putAll(optimizer.state());
        }
        if (bankRows != null) {
            bankRows.names().forEach(name -> {
                out.put(name + ".exp_avg (row-sparse)", bankRows.expAvg(name));
                out.put(name + ".exp_avg_sq (row-sparse)", bankRows.expAvgSq(name));
            });
        }
        return out;
    }

    void load(Path dir) {
        if (optimizer != null) {
            optimizer.load(dir);
        }
        if (bankRows != null) {
            bankRows.load(dir.resolve(BANK_FILE));
        }
    }
}
