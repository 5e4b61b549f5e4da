package membank.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.memory.MemoryBank;
import membank.nn.Ops;

/**
 * The adapter of sparse memory finetuning: only the bank rows that changed, as a row-sparse
 * tensor pair per bank in {@code adapter_model.safetensors} (with membank's CRC32C per tensor):
 * {@code base_model.model.model.memory.banks.{b}.{weight|a}.rows.indices} int64 [t] (ascending,
 * distinct) and {@code ...rows.values} float32 [t, w], the rows' new values. Applying it sets those
 * rows of the base's bank; every other tensor is the base's.
 */
public final class SparseMemoryAdapter {
    static final String INDICES = ".rows.indices";
    static final String VALUES = ".rows.values";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(MemoryLM.BANKS) + "(\\d+)\\.(\\w+)\\.rows\\.(indices|values)");

    private SparseMemoryAdapter() {
    }

    /** Whether {@code adapterDir}'s adapter_config.json says sparse memory finetuning. */
    public static boolean isOne(Path adapterDir) {
        Path config = adapterDir.resolve(Adapters.CONFIG);
        if (!Files.isRegularFile(config)) {
            return false;
        }
        JsonNode type = ConfigJson.read(config).get("peft_type");
        return type != null && AdapterMethod.SPARSE_MEMORY.peftType().equals(type.asText());
    }

    /** The tensor names of bank {@code b}'s changed rows: {indices, values}. */
    public static String[] names(MemoryLM model, int b) {
        String prefix = Adapters.PEFT_PREFIX + MemoryLM.BANKS + b + "." + model.bank(b).rowTensorName();
        return new String[] {prefix + INDICES, prefix + VALUES};
    }

    /** Writes the rows each bank trains alone ({@link MemoryBank#trainOnlyRows}) to {@code file}. */
    public static void saveWeights(MemoryLM model, Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int b = 0; b < model.numBanks(); b++) {
            MemoryBank bank = model.bank(b);
            if (bank.trainedIds() != null) {
                String[] names = names(model, b);
                tensors.put(names[0], bank.trainedIds());
                tensors.put(names[1], bank.trainedRows().detach());
            }
        }
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
    }

    /** The base in {@code baseDir} with the changed rows of the adapter in {@code adapterDir} set, for inference. */
    public static MemoryLM load(Path baseDir, Path adapterDir) {
        Path file = adapterDir.resolve(Adapters.WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + " not found: a sparse-memory adapter directory holds " + Adapters.CONFIG
                    + " and " + Adapters.WEIGHTS);
        }
        MemoryLM model = Checkpoint.load(baseDir);
        if (!model.config().hasMemory()) {
            throw new CheckpointException(adapterDir + " changes rows of a memory bank, but the base " + baseDir
                    + " has none (its config.json has no \"membank\" block): pass the base the adapter was trained on");
        }
        apply(model, SafeTensors.read(file), file);
        return model;
    }

    /** Sets the rows each pair of {@code tensors} names; refuses a pair that does not fit the model. */
    static void apply(MemoryLM model, Map<String, Tensor> tensors, Path file) {
        Map<String, Tensor> indices = new LinkedHashMap<>();
        Map<String, Tensor> values = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            String plain = name.startsWith(Adapters.PEFT_PREFIX) ? name.substring(Adapters.PEFT_PREFIX.length()) : name;
            Matcher m = NAME.matcher(plain);
            if (!m.matches()) {
                throw new CheckpointException(file + ": tensor '" + name + "' is not a changed-rows tensor of a bank"
                        + " (expected " + MemoryLM.BANKS + "{b}.{weight|a}.rows.{indices|values}); the file is not a sparse-memory adapter");
            }
            String key = m.group(1) + "." + m.group(2);
            (m.group(3).equals("indices") ? indices : values).put(key, t);
        });
        if (!indices.keySet().equals(values.keySet())) {
            throw new CheckpointException(file + ": every bank needs both rows.indices and rows.values; indices for "
                    + indices.keySet() + ", values for " + values.keySet());
        }
        indices.forEach((key, ids) -> setRows(model, key, ids, values.get(key), file));
    }

    private static void setRows(MemoryLM model, String key, Tensor ids, Tensor rows, Path file) {
        int b = Integer.parseInt(key.substring(0, key.indexOf('.')));
        String tensor = key.substring(key.indexOf('.') + 1);
        String label = MemoryLM.BANKS + key;
        if (b >= model.numBanks()) {
            throw new CheckpointException(file + ": rows of " + label + ", but the base has " + model.numBanks()
                    + " bank(s): the adapter belongs to another base");
        }
        MemoryBank bank = model.bank(b);
        if (bank.holdsCodes() || !bank.rowTensorName().equals(tensor)) {
            throw new CheckpointException(file + ": rows of " + label + ", but the base's bank " + b + " stores "
                    + (bank.holdsCodes() ? "int codes" : bank.rowTensorName()) + ": the adapter belongs to another base");
        }
        Tensor weight = model.namedTensors().get(MemoryLM.BANKS + b + "." + tensor);
        long tokens = weight.size(0);
        SafeTensors.checkType(file, label + INDICES, ids, ScalarType.Long);
        if (ids.dim() != 1) {
            throw new CheckpointException(file + ": tensor '" + label + INDICES + "' has shape "
                    + Arrays.toString(Ops.shape(ids)) + ", expected one dimension [t]");
        }
        SafeTensors.checkShape(file, label + VALUES, rows, new long[] {ids.size(0), weight.size(1)});
        long[] rowIds = Ops.toLongs(ids);
        for (int i = 0; i < rowIds.length; i++) {
            if (rowIds[i] < 0 || rowIds[i] >= tokens || i > 0 && rowIds[i] <= rowIds[i - 1]) {
                throw new CheckpointException(file + ": tensor '" + label + INDICES + "' holds " + rowIds[i] + " at position " + i
                        + ": row ids must ascend without repeats within [0, " + tokens + ")");
            }
        }
        bank.setRows(ids, rows.to(ScalarType.Float));
    }
}
