package membank.train;

import static org.bytedeco.pytorch.global.torch.clip_grad_norm_;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import membank.config.TrainConfig;

/**
 * libtorch's AdamW with one parameter group per {@link ParamGroup}: its own base learning rate
 * and weight decay. The schedule scales every group's base rate by the same factor. With
 * {@code training.bank_update = "rows_read"} the bank group is left out of libtorch's AdamW and
 * given to {@link RowSparseAdamW} (same rate, decay, betas and eps), which moves only rows read.
 */
final class GroupedAdamW {
    /** Null when every trainable tensor is a bank taking the row-sparse update. */
    private final AdamW optimizer;
    /** Null unless the bank takes the row-sparse update. */
    private final RowSparseAdamW bankRows;
    private final List<Double> baseLrs = new ArrayList<>();
    private final List<ParamGroup> order = new ArrayList<>();
    private final TensorVector allParams = new TensorVector();

    GroupedAdamW(Map<String, Tensor> trainable, TrainConfig t) {
        Map<ParamGroup, TensorVector> byGroup = new EnumMap<>(ParamGroup.class);
        Map<String, Tensor> sparse = new LinkedHashMap<>();
        trainable.forEach((name, p) -> {
            ParamGroup group = ParamGroup.of(name, p.dim());
            if (group == ParamGroup.BANK && t.rowSparseBank()) {
                sparse.put(name, p);
            } else {
                byGroup.computeIfAbsent(group, g -> new TensorVector()).push_back(p);
            }
            // clipping still sees every tensor, the bank included
            allParams.push_back(p);
        });
        if (byGroup.isEmpty() && sparse.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: no parameter requires gradient");
        }
        bankRows = sparse.isEmpty() ? null : new RowSparseAdamW(sparse, t.effectiveBankLr(), t.bankWeightDecay(),
                t.beta1(), t.beta2(), t.eps());
        AdamW created = null;
        for (var entry : byGroup.entrySet()) {
            AdamWOptions options = options(entry.getKey(), t);
            // libtorch takes ownership of the options, so read the rate before handing them over.
            baseLrs.add(options.get_lr());
            if (created == null) {
                created = new AdamW(entry.getValue(), options);
            } else {
                created.add_param_group(new OptimizerParamGroup(entry.getValue(), options));
            }
            order.add(entry.getKey());
        }
        optimizer = created;
    }

    private static AdamWOptions options(ParamGroup group, TrainConfig t) {
        double lr = switch (group) {
            case BANK -> t.effectiveBankLr();
            case MEMORY, MEMORY_NO_DECAY -> t.effectiveMemoryLr();
            default -> t.lr();
        };
        double decay = switch (group) {
            case BANK -> t.bankWeightDecay();
            case MEMORY, BASE -> t.weightDecay();
            default -> 0.0;
        };
        AdamWOptions o = new AdamWOptions(lr);
        setBetas(o, t.beta1(), t.beta2());
        o.eps().put(t.eps());
        o.weight_decay().put(decay);
        return o;
    }

    /**
     * betas is a C++ std::tuple<double, double> seen as two doubles; libstdc++ lays tuples out in
     * reverse, so find which slot holds beta1 from the defaults (0.9, 0.999) instead of assuming.
     */
    private static void setBetas(AdamWOptions o, double beta1, double beta2) {
        boolean reversed = new AdamWOptions().betas().get(0) != 0.9;
        o.betas().put(reversed ? 1 : 0, beta1).put(reversed ? 0 : 1, beta2);
    }

    void setLrFactor(double factor) {
        if (bankRows != null) {
            bankRows.setLrFactor(factor);
        }
        for (int i = 0; i < baseLrs.size(); i++) {
            optimizer.param_groups().get(i).options().set_lr(baseLrs.get(i) * factor);
        }
    }

    double lr(ParamGroup group) {
        if (group == ParamGroup.BANK && bankRows != null) {
            return bankRows.lr();
        }
        int i = order.indexOf(group);
        return i < 0 ? Double.NaN : optimizer.param_groups().get(i).options().get_lr();
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

    /** The row-sparse bank optimizer, or null when the bank (if any) is in libtorch's AdamW. */
    RowSparseAdamW bankRows() {
        return bankRows;
    }

    void zeroGrad() {
        if (optimizer != null) {
            optimizer.zero_grad(true);
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
     * The moments and step counts, in libtorch's own archive format; with the row-sparse bank its
     * state goes to {@code bankFile} (safetensors), and nothing is written there otherwise.
     */
    void save(Path file, Path bankFile) {
        OutputArchive archive = new OutputArchive();
        if (optimizer != null) {
            optimizer.save(archive);
        }
        archive.save_to(file.toString());
        if (bankRows != null) {
            bankRows.save(bankFile);
        }
    }

    void load(Path file, Path bankFile) {
        if (optimizer != null) {
            InputArchive archive = new InputArchive();
            archive.load_from(file.toString());
            optimizer.load(archive);
        }
        if (bankRows != null) {
            bankRows.load(bankFile);
        }
    }
}
