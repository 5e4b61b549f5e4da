package membank.train;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.AccessUnit;
import membank.config.ConfigJson;
import membank.config.RunConfig;
import membank.config.SparseMemoryConfig;
import membank.model.Adapters;
import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.model.SafeTensors;
import membank.nn.Ops;
import membank.nn.Precision;

/**
 * Sparse memory finetuning on a tiny base with a dense bank of 256 rows: only the chosen rows move,
 * and the row-sparse adapter gives back exactly the bank that training left.
 */
class SparseMemoryAdaptationTest {
    private static final String BANK = "model.memory.banks.0.weight";
    @TempDir
    static Path tmp;
    static Path base;

    @BeforeAll
    static void trainTinyBase() {
        base = tmp.resolve("base");
        RunConfig run = TrainingRunTest.tiny("training.steps=3", "training.eval_every=0", "training.data.entities=4",
                "training.batch_size=2", "training.seq_len=32");
        TrainingRun.fresh(run, base, Precision.FP32).quiet().train();
    }

    private static SparseMemoryAdaptation adaptation(int topT, String... training) {
        List<String> keys = new ArrayList<>(List.of("training.steps=2", "training.batch_size=2", "training.seq_len=32",
                "training.data.entities=4", "training.data.knowledge_seed=5", "training.eval_every=0", "training.bank_lr=1e-2"));
        keys.addAll(Arrays.asList(training));
        RunConfig run = RunConfig.parse(SparseMemoryAdaptation.configTree(base, keys));
        SparseMemoryConfig sparse = new SparseMemoryConfig(topT, AccessUnit.ROWS, SparseMemoryConfig.DEFAULT_BACKGROUND, 2, null, 2);
        return new SparseMemoryAdaptation(base, sparse, run, List.of());
    }

    private static MemoryLM trained(SparseMemoryAdaptation adaptation, Path out) {
        MemoryLM model = adaptation.model(Precision.FP32);
        adaptation.train(model, out, Precision.FP32, false);
        return model;
    }

    private static Tensor bank(MemoryLM model) {
        try (NoGradGuard ignored = new NoGradGuard()) {
            return model.bank(0).rows().all().clone();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense", "rows_read"})
    void onlyTheChosenRowsChange(String bankUpdate) {
        Path out = tmp.resolve("smf-" + bankUpdate);
        MemoryLM model = trained(adaptation(6, "training.bank_update=" + bankUpdate), out);
        Map<String, Tensor> before = Checkpoint.load(base).namedTensors();
        model.namedParameters().forEach((name, p) -> {
            if (!name.endsWith(".trained_rows")) {
                assertTrue(equal(before.get(name), p), name + " must stay bit for bit the base's");
                assertFalse(p.requires_grad(), name + " must be frozen");
            }
        });
        long[] ids = Ops.toLongs(model.bank(0).trainedIds());
        assertEquals(6, ids.length);
        Tensor after = bank(model);
        Tensor original = before.get(BANK);
        int moved = 0;
        for (long row = 0; row < original.size(0); row++) {
            boolean chosen = Arrays.binarySearch(ids, row) >= 0;
            boolean same = equal(original.select(0, row), after.select(0, row));
            assertTrue(chosen || same, "row " + row + " was not chosen but changed");
            moved += chosen && !same ? 1 : 0;
        }
        assertTrue(moved > 0, "two steps at bank_lr 1e-2 must move some chosen row");
    }

    @Test
    void theRowSparseAdapterGivesBackTheTrainedBank() {
        Path out = tmp.resolve("smf-roundtrip");
        MemoryLM model = trained(adaptation(5), out);
        Tensor expected = bank(model);
        MemoryLM applied = Adapters.load(base, out);
        assertTrue(equal(expected, applied.namedTensors().get(BANK)), "base + adapter must be the trained bank, every row");

        Map<String, Tensor> file = SafeTensors.read(out.resolve(Adapters.WEIGHTS));
        String prefix = "base_model.model." + BANK + ".rows.";
        assertEquals(List.of(prefix + "indices", prefix + "values"), List.copyOf(file.keySet()));
        long[] ids = Ops.toLongs(file.get(prefix + "indices"));
        assertArrayEquals(Ops.toLongs(model.bank(0).trainedIds()), ids);
        assertArrayEquals(new long[] {5, 64}, Ops.shape(file.get(prefix + "values")));
        assertTrue(equal(file.get(prefix + "values"), expected.index_select(0, Ops.longs(ids))));

        JsonNode counts = ConfigJson.read(out.resolve(SparseMemoryAdaptation.SELECTION));
        List<Long> chosen = new ArrayList<>();
        counts.get("chosen").forEach(c -> chosen.add(c.get("unit").asLong()));
        assertEquals(Arrays.stream(ids).boxed().toList(), chosen.stream().sorted().toList());
        assertEquals(256, counts.at("/counts/0/new_accesses").size());
        // 2 counted batches (the 2 steps) of 2 sequences x 32 positions, 4 query heads, top 2 rows, 1 memory layer
        assertEquals(4, counts.at("/new_data/sequences").asLong());
        assertEquals(2L * 2 * 32 * 4 * 2, counts.at("/new_data/accesses").asLong());
        assertEquals(4, counts.at("/background/sequences").asLong(), "2 background batches of 2");
        assertEquals("SPARSE_MEMORY", ConfigJson.read(out.resolve(Adapters.CONFIG)).get("peft_type").asText());
    }

    @Test
    void theRowsTrainAtTheBankLearningRate() {
        Path out = tmp.resolve("smf-lr");
        MemoryLM model = trained(adaptation(4, "training.bank_lr=1e-4", "training.lr=1", "training.memory_lr=1"), out);
        double moved = bank(model).sub(Checkpoint.load(base).namedTensors().get(BANK)).abs().max().item_double();
        // AdamW moves a parameter by at most about lr per step; lr 1 would have moved the rows by ~1
        assertTrue(moved > 0 && moved <= 2.5e-4, "2 steps at bank_lr 1e-4 moved a row by " + moved);
    }
}
