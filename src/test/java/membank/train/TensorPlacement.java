package membank.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import membank.memory.MemoryKv;
import membank.memory.RouterState;
import membank.model.DecodeState;
import membank.model.MemoryLM;
import membank.nn.Devices;
import membank.nn.KvCache;

/**
 * Every tensor a training run or a decoding keeps between steps, by name, and which of them are
 * not on the device the run was given: one stray tensor on a GPU run is a crash or a silent copy
 * per step. On the CPU only the plumbing can be checked; on CUDA this is the check to run first.
 * Rope's sin/cos tables are left out on purpose: they are no module buffers and each step copies
 * the slice it needs to its input's device.
 */
final class TensorPlacement {
    private TensorPlacement() {
    }

    /** "name on device" for each tensor of {@code tensors} not on {@code device}; empty when all are. */
    static List<String> misplaced(Map<String, Tensor> tensors, Device device) {
        String want = Devices.name(device);
        List<String> out = new ArrayList<>();
        tensors.forEach((name, t) -> {
            if (t != null && t.defined() && !Devices.name(t.device()).equals(want)) {
                out.add(name + " on " + Devices.name(t.device()));
            }
        });
        return out;
    }

    /**
     * The model's tensors: parameters, buffers, the gradients there are, and the ids of bank rows
     * trained alone (a plain field, which moving the module does not carry along).
     */
    static Map<String, Tensor> of(MemoryLM model) {
        Map<String, Tensor> out = new LinkedHashMap<>(model.namedTensors());
        model.namedParameters().forEach((name, p) -> {
            Tensor grad = p.grad();
            if (grad.defined()) {
                out.put(name + ".grad", grad);
            }
        });
        for (int b = 0; b < model.numBanks(); b++) {
            out.put("bank " + b + " trained row ids", model.bank(b).trainedIds());
        }
        return out;
    }

    /** The model's tensors and the optimizer's state (moments and step counts, dense and row-sparse). */
    static Map<String, Tensor> of(TrainingRun run) {
        Map<String, Tensor> out = of(run.model());
        run.trainer().optimizerState().forEach((name, t) -> out.put("optimizer " + name, t));
        return out;
    }

    /** What decoding keeps: each layer's KV cache, a dense bank's projected K/V, a router's running sums, the context read. */
    static Map<String, Tensor> of(DecodeState state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < state.caches().size(); i++) {
            KvCache cache = state.caches().get(i);
            List<Tensor> kv = cache.tensors();
            out.put("layer " + i + " kv cache keys", kv.get(0));
            out.put("layer " + i + " kv cache values", kv.get(1));
            MemoryKv bank = state.bankKv().get(i);
            if (bank != null) {
                out.put("layer " + i + " bank keys", bank.keys());
                out.put("layer " + i + " bank values", bank.values());
            }
            RouterState router = state.routers().get(i);
            if (router != null) {
                out.put("layer " + i + " router sums", router.sum());
            }
        }
        if (state.context() != null) {
            out.put("context vectors read", state.context().vectors());
            out.put("context mask", state.context().valid());
        }
        return out;
    }
}
