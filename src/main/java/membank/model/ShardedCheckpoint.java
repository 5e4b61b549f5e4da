package membank.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The tensors of a checkpoint directory in the Hugging Face layout: one model.safetensors, or
 * shards listed by model.safetensors.index.json. Every tensor the index names must be in its shard,
 * so a half-copied checkpoint is refused instead of loading with missing weights.
 */
final class ShardedCheckpoint {

    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final SafeTensorsReader reader;

    ShardedCheckpoint(Path dir, SafeTensorsReader reader) {
        this.dir = dir;
        this.reader = reader;
    }

    Map<String, Tensor> read() {
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) {
            return readShards(index, weightMap(index));
        }
        Path single = dir.resolve(SINGLE);
        if (!Files.exists(single)) {
            throw new CheckpointException(dir + ": neither " + SINGLE + " nor " + INDEX
                    + " is there; is this a model directory?");
        }
        return reader.read(single);
    }

    /** Tensor name to shard file name, in the index's order. */
    private static Map<String, String> weightMap(Path index) {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read the index (" + e.getMessage()
                    + "); the file is corrupt, re-save or re-download it", e);
        }
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index + ": there is no \"weight_map\" object; the index is corrupt");
        }
        Map<String, String> result = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(index + ": the shard of tensor '" + e.getKey()
                        + "' is not a file name; the index is corrupt");
            }
            result.put(e.getKey(), e.getValue().textValue());
        });
        return result;
    }

    private Map<String, Tensor> readShards(Path index, Map<String, String> weightMap) {
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        weightMap.forEach((tensor, shard) -> byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        byShard.forEach((shard, names) -> tensors.putAll(readShard(index, shard, names)));
        return tensors;
    }

    private Map<String, Tensor> readShard(Path index, String shard, List<String> names) {
        Path file = dir.resolve(shard).normalize();
        if (!dir.normalize().equals(file.getParent())) {
            throw new CheckpointException(index + ": shard '" + shard + "' (of tensor '" + names.get(0)
                    + "') is not a plain file name in the checkpoint directory; the index is corrupt");
        }
        if (!Files.exists(file)) {
            throw new CheckpointException(index + ": shard " + shard + " is missing (it should hold tensor '"
                    + names.get(0) + "' and " + (names.size() - 1) + " more); copy or download it into " + dir);
        }
        Map<String, Tensor> tensors = reader.read(file);
        for (String name : names) {
            if (!tensors.containsKey(name)) {
                throw new CheckpointException(file + ": tensor '" + name + "' is not there although " + INDEX
                        + " says it is; the shard or the index is stale, re-save or re-download them");
            }
        }
        return tensors;
    }
}
