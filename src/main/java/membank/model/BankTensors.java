package membank.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.MemoryConfig;
import membank.memory.MemoryBank;
import membank.memory.RowQuantizer;

/**
 * A model's banks as checkpoints hold them (spec/checkpoint-format.md): a quantised bank is
 * stored as {@code qweight} + {@code scales} whether the model trains a float copy or holds the
 * codes, so what is saved is what inference reads.
 */
final class BankTensors {
    private BankTensors() {
    }

    /** The model's parameters and held codes, each bank as {@link MemoryBank#stored()} gives it. */
    static Map<String, Tensor> stored(MemoryLM model, List<MemoryBank> banks) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedTensors().forEach((name, t) -> {
            if (!name.startsWith(MemoryLM.BANKS)) {
                out.put(name, t);
            }
        });
        for (int b = 0; b < banks.size(); b++) {
            String prefix = MemoryLM.BANKS + b + ".";
            banks.get(b).stored().forEach((name, t) -> out.put(prefix + name, t));
        }
        return out;
    }

    /**
     * A checkpoint's tensors as the model's {@code namedTensors()} takes them: the codes of a
     * quantised bank that trains a float copy are checked and dequantised into that copy's
     * {@code weight} (resuming training, or fine-tuning a saved model); the rest passes as it is.
     */
    static Map<String, Tensor> loadable(List<MemoryBank> banks, MemoryConfig memory, Map<String, Tensor> stored,
                                        Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>(stored);
        for (int b = 0; b < banks.size(); b++) {
            MemoryBank bank = banks.get(b);
            String codes = MemoryLM.BANKS + b + "." + MemoryBank.QWEIGHT;
            String scales = MemoryLM.BANKS + b + "." + MemoryBank.SCALES;
            if (bank.quantizer() != null && !bank.holdsCodes() && out.containsKey(codes) && out.containsKey(scales)) {
                Tensor weight = dequantised(bank.quantizer(), memory.numTokens(), file, codes, out.remove(codes),
                        scales, out.remove(scales));
                out.put(MemoryLM.BANKS + b + "." + MemoryBank.WEIGHT, weight);
            }
        }
        return out;
    }

    /**
     * The float copies that quantised banks train, by name (empty without quantised banks): a
     * checkpoint stores only their codes, so a resumed run needs them to continue exactly.
     */
    static Map<String, Tensor> floatCopies(MemoryLM model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (model.config().hasMemory() && model.config().membank().bank().isQuantised()) {
            model.namedParameters().forEach((name, t) -> {
                if (name.startsWith(MemoryLM.BANKS)) {
                    out.put(name, t);
                }
            });
        }
        return out;
    }

    private static Tensor dequantised(RowQuantizer quantizer, long tokens, Path file, String codesName, Tensor codes,
                                      String scalesName, Tensor scales) {
        SafeTensors.checkShape(file, codesName, codes, quantizer.codeShape(tokens));
        SafeTensors.checkType(file, codesName, codes, quantizer.codeType());
        SafeTensors.checkShape(file, scalesName, scales, quantizer.scaleShape(tokens));
        return quantizer.dequantise(codes, scales.to(ScalarType.Float));
    }
}
