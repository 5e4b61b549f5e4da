package membank.model;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import membank.config.BankConfig;
import membank.config.ModelConfig;
import membank.config.ParameterCount;
import membank.memory.BankForm;
import membank.memory.RowQuantizer;

/**
 * Whole models with factorized, reduced and quantised banks and low-rank memory projections
 * (spec section 5): equal to the naive formula, saved and loaded under the names of
 * spec/checkpoint-format.md, and a loaded quantised model reads exactly its dequantised bank.
 */
class CompressedBankModelTest {
    private static final long VOCAB = 97;
    private static final String TOKEN_ROUTED = "membank.chapters={\"count\": 4, \"top_k\": 2, \"shared\": 1,"
            + " \"routing\": \"token\", \"mixing\": \"joint\"}";
    private static final String FACTORIZED = "membank.bank={\"kind\": \"factorized\", \"rank\": 4}";
    private static final String INT8 = "membank.bank={\"quant\": \"int8\"}";

    static List<ModelConfig> configs() {
        return List.of(
                TestConfigs.withBank(FACTORIZED),
                TestConfigs.withBank(FACTORIZED, "membank.projection_rank=3", TOKEN_ROUTED),
                TestConfigs.withBank("membank.bank={\"kind\": \"reduced\", \"rank\": 8}", TOKEN_ROUTED),
                TestConfigs.withBank(INT8),
                TestConfigs.withBank("membank.bank={\"quant\": \"int4\", \"group_size\": 8}", "membank.projection_rank=5",
                        TOKEN_ROUTED),
                TestConfigs.withBank("membank.bank={\"kind\": \"reduced\", \"rank\": 8, \"quant\": \"int4\", \"group_size\": 4}"),
                TestConfigs.withBank("membank.bank={\"kind\": \"reduced\", \"rank\": 12, \"quant\": \"int8\"}",
                        "membank.projection_rank=4", "membank.chapters={\"count\": 4, \"top_k\": 1, \"routing\": \"prefix\"}"));
    }

    private static MemoryLM model(ModelConfig config, long seed) {
        manual_seed(seed);
        MemoryLM model = new MemoryLM(config);
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (Adapters.isAdapterTensor(name) && p.dim() > 1) {
                    p.normal_(0.0, 0.3, new org.bytedeco.pytorch.GeneratorOptional());
                }
            });
        }
        return model;
    }

    private static Tensor ids() {
        manual_seed(99);
        return randint(VOCAB, new long[] {2, 7});
    }

    private static Tensor logits(MemoryLM model, Tensor ids) {
        model.train(false);
        try (NoGradGuard ignored = new NoGradGuard()) {
            return model.forward(ids);
        }
    }

    /** Sets every quantised bank's float copy to its quantised-then-dequantised value. */
    private static void roundBanks(MemoryLM model) {
        BankConfig bank = model.config().membank().bank();
        RowQuantizer q = RowQuantizer.of(bank, model.config().hiddenSize());
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (name.startsWith(MemoryLM.BANKS)) {
                    RowQuantizer.Codes codes = q.quantise(p);
                    p.copy_(q.dequantise(codes.codes(), codes.scales()));
                }
            });
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void savedModelsLoadUnderTheSpecNamesAndComputeTheSame(ModelConfig config, @TempDir Path dir) {
        MemoryLM model = model(config, 41);
        Tensor ids = ids();
        Checkpoint.save(model, dir);
        BankConfig bank = config.membank().bank();
        Map<String, Tensor> stored = SafeTensors.read(dir.resolve(Checkpoint.WEIGHTS));
        String b0 = MemoryLM.BANKS + "0.";
        if (bank.isQuantised()) {
            assertFalse(stored.containsKey(b0 + "weight"), "a quantised bank stores no float weight");
            assertEquals(bank.quant() == BankConfig.Quant.INT8 ? ScalarType.Char.value : ScalarType.Byte.value,
                    stored.get(b0 + "qweight").scalar_type().value);
            assertEquals(ScalarType.Float.value, stored.get(b0 + "scales").scalar_type().value);
            roundBanks(model);
        } else if (bank.isFactorized()) {
            assertEquals(List.of(24L, 4L), List.of(stored.get(b0 + "a").size(0), stored.get(b0 + "a").size(1)));
            assertEquals(List.of(32L, 4L), List.of(stored.get(b0 + "b").size(0), stored.get(b0 + "b").size(1)));
        } else {
            assertEquals(bank.rank().longValue(), stored.get(b0 + "weight").size(1));
        }
        if (config.membank().projectionRank() != null) {
            assertTrue(stored.containsKey("model.layers.1.memory_attn.o_proj.down.weight"));
            assertTrue(stored.containsKey("model.layers.1.memory_attn.o_proj.up.weight"));
            assertFalse(stored.containsKey("model.layers.1.memory_attn.o_proj.weight"));
        }

        MemoryLM loaded = Checkpoint.load(dir);
        assertEquals(config, loaded.config());
        Tensor expected = logits(model, ids);
        assertTrue(equal(expected, logits(loaded, ids)), "loaded model differs: max "
                + expected.sub(logits(loaded, ids)).abs().max().item_double());
        if (bank.isQuantised()) {
            assertFalse(loaded.namedParameters().keySet().stream().anyMatch(n -> n.startsWith(MemoryLM.BANKS)),
                    "inference holds the codes, not a float bank");
            MemoryLM trainable = Checkpoint.load(dir, BankForm.TRAINABLE);
            Map<String, Tensor> rounded = model.namedParameters();
            trainable.namedParameters().forEach((name, p) -> assertTrue(equal(rounded.get(name), p), name));
        }
        // Decoding reads K/V projected once from the bank (codes dequantised once): same logits.
        try (NoGradGuard ignored = new NoGradGuard()) {
            DecodeState state = loaded.newDecodeState(2, 16);
            Tensor prefill = loaded.forward(ids.narrow(1, 0, 4), ForwardPass.decoding(state));
            Tensor rest = loaded.forward(ids.narrow(1, 4, 3), ForwardPass.decoding(state));
            MemoryLMTest.assertClose(expected, org.bytedeco.pytorch.global.torch.cat(
                    new org.bytedeco.pytorch.TensorVector(prefill, rest), 1));
        }
    }

    @ParameterizedTest
    @MethodSource("chapterLayouts")
    void aFactorizedModelEqualsTheDenseModelOfItsProduct(String chapters) {
        ModelConfig factorized = TestConfigs.withBank(FACTORIZED, chapters);
        MemoryLM model = model(factorized, 42);
        MemoryLM dense = new MemoryLM(TestConfigs.withBank(chapters));
        Map<String, Tensor> from = model.namedParameters();
        try (NoGradGuard ignored = new NoGradGuard()) {
            dense.namedParameters().forEach((name, p) -> {
                if (name.startsWith(MemoryLM.BANKS)) {
                    String prefix = name.substring(0, name.length() - "weight".length());
                    p.copy_(matmul(from.get(prefix + "a"), from.get(prefix + "b").t()));
                } else {
                    p.copy_(from.get(name));
                }
            });
        }
        Tensor ids = ids();
        Tensor expected = logits(dense, ids);
        MemoryLMTest.assertClose(expected, logits(model, ids));
        assertTrue(expected.sub(logits(new MemoryLM(TestConfigs.plain()), ids)).abs().max().item_double() > 1e-3,
                "memory must change the logits for the comparison to mean anything");
    }

    static List<String> chapterLayouts() {
        return List.of("membank.chapters=null", TOKEN_ROUTED, "membank.chapters={\"count\": 4, \"top_k\": 2}");
    }

    /** ParameterCount (docs, inspect) agrees with the model built and the checkpoint written. */
    @ParameterizedTest
    @MethodSource("configs")
    void parameterCountsAndStoredBytesMatchTheModel(ModelConfig config) {
        MemoryLM model = new MemoryLM(config);
        Map<ParameterRole, Long> counts = ParameterRole.count(model);
        assertEquals(ParameterCount.memory(config), counts.get(ParameterRole.MEMORY_LAYER) + counts.get(ParameterRole.BANK));
        assertEquals(config.membank().numBanks() * ParameterCount.bank(config), counts.get(ParameterRole.BANK));
        long storedBytes = 0;
        long storedValues = 0;
        for (Map.Entry<String, Tensor> e : model.storedTensors().entrySet()) {
            if (e.getKey().startsWith(MemoryLM.BANKS)) {
                storedBytes += e.getValue().numel() * e.getValue().element_size();
                storedValues += e.getKey().endsWith("qweight") && config.membank().bank().quant() == BankConfig.Quant.INT4
                        ? 2 * e.getValue().numel() : e.getValue().numel();
            }
        }
        assertEquals(config.membank().numBanks() * ParameterCount.bankBytes(config, 4), storedBytes);
        assertEquals(config.membank().numBanks() * ParameterCount.bankStored(config), storedValues);
    }

    @Test
    void trainingUpdatesTheFloatCopyOfAQuantisedBank() {
        MemoryLM model = model(TestConfigs.withBank(INT8), 43);
        model.train(true);
        Tensor ids = ids();
        model.loss(ids, ids).backward();
        Tensor bank = model.namedParameters().get(MemoryLM.BANKS + "0.weight");
        assertEquals(ScalarType.Float.value, bank.scalar_type().value);
        assertTrue(bank.grad().defined() && bank.grad().abs().max().item_double() > 0, "the float copy gets a gradient");
    }
}
