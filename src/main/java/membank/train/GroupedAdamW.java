package membank.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
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
 * and weight decay. The schedule scales every group's base rate by the same factor.
 */
final class GroupedAdamW {
    private final AdamW optimizer;
    private final List<Double> baseLrs = new ArrayList<>();
    private final List<ParamGroup> order = new ArrayList<>();
    private final TensorVector allParams = new TensorVector();

    GroupedAdamW(Map<String, Tensor> trainable, TrainConfig t) {
        Map<ParamGroup, TensorVector> byGroup = new EnumMap<>(ParamGroup.class);
        trainable.forEach((name, p) -> {
            byGroup.computeIfAbsent(ParamGroup.of(name, p.dim()), g -> new TensorVector()).push_back(p);
            allParams.push_back(p);
        });
        if (byGroup.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: no parameter requires gradient");
        }
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
        for (int i = 0; i < baseLrs.size(); i++) {
            optimizer.param_groups().get(i).options().set_lr(baseLrs.get(i) * factor);
        }
    }

    double lr(ParamGroup group) {
        int i = order.indexOf(group);
        return i < 0 ? Double.NaN : optimizer.param_groups().get(i).options().get_lr();
    }

    TensorVector parameters() {
        return allParams;
    }

    void zeroGrad() {
        optimizer.zero_grad(true);
    }

    void step() {
        optimizer.step();
    }

    /** The moments and step counts, in libtorch's own archive format. */
    void save(Path file) {
        OutputArchive archive = new OutputArchive();
        optimizer.save(archive);
        archive.save_to(file.toString());
    }

    void load(Path file) {
        InputArchive archive = new InputArchive();
        archive.load_from(file.toString());
        optimizer.load(archive);
    }
}
