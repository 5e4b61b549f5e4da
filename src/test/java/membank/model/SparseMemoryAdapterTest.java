package membank.model;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import membank.nn.Ops;

/** Applying changed rows to a base's bank, and what a changed-rows file that does not fit is told. */
class SparseMemoryAdapterTest {
    private static final Path FILE = Path.of("adapter/adapter_model.safetensors");
    private static final String PREFIX = "base_model.model.model.memory.banks.0.weight.rows.";

    private static MemoryLM model() {
        manual_seed(3);
        return new MemoryLM(TestConfigs.withMemory("A", List.of(1), "shared", 2));
    }

    private static Map<String, Tensor> rows(long[] ids, long width) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(PREFIX + "indices", Ops.longs(ids));
        out.put(PREFIX + "values", randn(new long[] {ids.length, width}));
        return out;
    }

    private static String refusal(Map<String, Tensor> tensors) {
        return assertThrows(CheckpointException.class, () -> SparseMemoryAdapter.apply(model(), tensors, FILE)).getMessage();
    }

    @Test
    void setsTheNamedRowsAndNoOther() {
        MemoryLM model = model();
        Tensor before = model.namedTensors().get(MemoryLM.BANKS + "0.weight").clone();
        Map<String, Tensor> tensors = rows(new long[] {2, 7, 23}, 32);
        SparseMemoryAdapter.apply(model, tensors, FILE);
        Tensor after = model.namedTensors().get(MemoryLM.BANKS + "0.weight");
        for (long row = 0; row < 24; row++) {
            int i = row == 2 ? 0 : row == 7 ? 1 : row == 23 ? 2 : -1;
            Tensor expected = i < 0 ? before.select(0, row) : tensors.get(PREFIX + "values").select(0, i);
            assertTrue(equal(expected, after.select(0, row)), "row " + row);
        }
    }

    @Test
    void rowsThatDoNotFitTheBaseAreRefused() {
        assertTrue(refusal(rows(new long[] {5, 3}, 32)).contains("ascend without repeats within [0, 24)"));
        assertTrue(refusal(rows(new long[] {3, 3}, 32)).contains("ascend without repeats"));
        assertTrue(refusal(rows(new long[] {1, 24}, 32)).contains("holds 24 at position 1"));
        assertTrue(refusal(rows(new long[] {1, 2}, 16)).contains("has shape [2, 16]"));
        Map<String, Tensor> lonely = rows(new long[] {1}, 32);
        lonely.remove(PREFIX + "values");
        assertTrue(refusal(lonely).contains("needs both rows.indices and rows.values"));
        Map<String, Tensor> stranger = rows(new long[] {1}, 32);
        stranger.put("base_model.model.model.layers.0.mlp.up_proj.weight", randn(new long[] {2, 2}));
        assertTrue(refusal(stranger).contains("'base_model.model.model.layers.0.mlp.up_proj.weight' is not a changed-rows tensor"));
        Map<String, Tensor> otherBank = new LinkedHashMap<>();
        rows(new long[] {1}, 32).forEach((name, t) -> otherBank.put(name.replace("banks.0.", "banks.3."), t));
        assertTrue(refusal(otherBank).contains("the base has 1 bank(s)"));
        Map<String, Tensor> factorized = new LinkedHashMap<>();
        rows(new long[] {1}, 32).forEach((name, t) -> factorized.put(name.replace(".weight.", ".a."), t));
        assertTrue(refusal(factorized).contains("stores weight"));
    }
}
