package membank.model;

import static org.bytedeco.pytorch.global.torch.equal;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.config.AdapterConfig;
import membank.config.AdapterJson;
import membank.config.AdapterMethod;
import membank.config.ConfigException;
import membank.config.ConfigJson;
import membank.config.LoraConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.nn.Ops;
import membank.memory.RowQuantizer;

class AdaptersTest {

    private static Tensor tokens(long vocab) {
        manual_seed(5);
        return randint(vocab, new long[] {2, 9});
    }

    private static Tensor logits(MemoryLM model, Tensor ids) {
        model.train(false);
        try (NoGradGuard ignored = new NoGradGuard()) {
            return model.forward(ids);
        }
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static MemoryConfig memory(ModelConfig base, String json) {
        return ConfigJson.parseMemory(json(json), base);
    }

    private static LoraConfig lora() {
        return AdapterJson.lora(4, 8, 0.0, List.of("q_proj", "v_proj", "down_proj"));
    }

    /** Gives every adapter tensor random values, so an adapter really changes the output. */
    private static void randomiseAdapter(MemoryLM model) {
        try (NoGradGuard ignored = new NoGradGuard()) {
            model.namedParameters().forEach((name, p) -> {
                if (Adapters.isAdapterTensor(name) && p.dim() > 1) {
                    p.normal_(0.0, 0.3, new org.bytedeco.pytorch.GeneratorOptional());
                }
            });
        }
    }

    @Test
    void huggingFaceLayoutsLoadWithTheirWeights(@TempDir Path dir) {
        record Case(String name, ModelConfig config, ScalarType dtype, int shards) {
        }
        for (Case c : List.of(new Case("qwen2-tied-bf16-sharded", HfCheckpoints.qwen2(true), ScalarType.BFloat16, 3),
                new Case("qwen2-untied-f16", HfCheckpoints.qwen2(false), ScalarType.Half, 1),
                new Case("llama-untied-f32-sharded", HfCheckpoints.llama(false), ScalarType.Float, 2),
                new Case("llama-tied-bf16", HfCheckpoints.llama(true), ScalarType.BFloat16, 1))) {
            Path at = dir.resolve(c.name());
            MemoryLM reference = HfCheckpoints.write(at, c.config(), c.dtype(), c.shards(), 3);
            MemoryLM loaded = Checkpoint.load(at);
            Tensor ids = tokens(c.config().vocabSize());
            assertTrue(equal(logits(reference, ids), logits(loaded, ids)), c.name());
            assertEquals(c.config().attentionBias(), loaded.namedParameters().containsKey("model.layers.0.self_attn.q_proj.bias"));
            assertEquals(!c.config().tieWordEmbeddings(), loaded.namedParameters().containsKey("lm_head.weight"));
        }
    }

    @Test
    void brokenBasesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path sharded = dir.resolve("sharded");
        HfCheckpoints.write(sharded, HfCheckpoints.qwen2(true), ScalarType.BFloat16, 2, 3);
        Files.delete(sharded.resolve("model-00002-of-00002.safetensors"));
        CheckpointTest.assertMentions(assertThrows(CheckpointException.class, () -> Checkpoint.load(sharded)),
                "model-00002-of-00002.safetensors");

        Path mistral = dir.resolve("mistral");
        HfCheckpoints.write(mistral, HfCheckpoints.llama(true), ScalarType.Float, 1, 3);
        Path config = mistral.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"llama\"", "\"mistral\""));
        CheckpointTest.assertMentions(assertThrows(ConfigException.class, () -> Checkpoint.load(mistral)),
                "model_type", "mistral", "qwen2", "llama");

        Path shape = dir.resolve("shape");
        HfCheckpoints.write(shape, HfCheckpoints.llama(true), ScalarType.Float, 1, 3);
        Path shapeConfig = shape.resolve("config.json");
        Files.writeString(shapeConfig, Files.readString(shapeConfig).replace("\"intermediate_size\" : 48", "\"intermediate_size\" : 40"));
        CheckpointTest.assertMentions(assertThrows(CheckpointException.class, () -> Checkpoint.load(shape)),
                "model.safetensors", "gate_proj.weight", "[40, 32]");
    }

    @Test
    void freshAdaptersChangeNothing(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.qwen2(false);
        MemoryLM plain = HfCheckpoints.write(dir, base, ScalarType.BFloat16, 1, 4);
        Tensor ids = tokens(base.vocabSize());
        Tensor expected = logits(plain, ids);
        List<AdapterConfig> adapters = List.of(
                new AdapterConfig(AdapterMethod.MEMORY, "base", null, memory(base, "{\"num_tokens\": 16}")),
                new AdapterConfig(AdapterMethod.MEMORY, "base", null, memory(base, "{\"num_tokens\": 32, \"variant\": \"B\","
                        + " \"layers\": [1], \"chapters\": {\"count\": 4, \"top_k\": 2, \"routing\": \"token\"}}")),
                new AdapterConfig(AdapterMethod.LORA, "base", lora(), null),
                new AdapterConfig(AdapterMethod.MEMORY_LORA, "base", lora(), memory(base, "{\"num_tokens\": 16, \"layers\": [0, 2]}")),
                // Every bank kind and low-rank projections: o_proj's up factor starts at zero.
                new AdapterConfig(AdapterMethod.MEMORY, "base", null, memory(base, "{\"num_tokens\": 16,"
                        + " \"bank\": {\"kind\": \"factorized\", \"rank\": 4}, \"projection_rank\": 3}")),
                new AdapterConfig(AdapterMethod.MEMORY, "base", null, memory(base, "{\"num_tokens\": 32, \"variant\": \"B\","
                        + " \"bank\": {\"kind\": \"reduced\", \"rank\": 8, \"quant\": \"int4\", \"group_size\": 4},"
                        + " \"chapters\": {\"count\": 4, \"top_k\": 2, \"routing\": \"token\"}}")),
                new AdapterConfig(AdapterMethod.MEMORY, "base", null, memory(base, "{\"num_tokens\": 16,"
                        + " \"bank\": {\"quant\": \"int8\"}, \"projection_rank\": 2}")));
        for (AdapterConfig adapter : adapters) {
            MemoryLM adapted = Adapters.create(dir, adapter);
            assertTrue(equal(expected, logits(adapted, ids)), adapter.method() + " " + adapter.membank());
        }
    }

    @Test
    void mergedLoraEqualsUnmerged(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.llama(false);
        HfCheckpoints.write(dir.resolve("base"), base, ScalarType.Float, 1, 6);
        MemoryLM adapted = Adapters.create(dir.resolve("base"), new AdapterConfig(AdapterMethod.LORA, "base", lora(), null));
        randomiseAdapter(adapted);
        Tensor ids = tokens(base.vocabSize());
        Tensor unmerged = logits(adapted, ids);
        Map<String, Tensor> merged = Adapters.merged(adapted);
        assertFalse(merged.keySet().stream().anyMatch(n -> n.contains("lora_")));
        Checkpoint.save(merged, dir.resolve("merged"), ConfigJson.toJson(adapted.config()));
        Tensor reloaded = logits(Checkpoint.load(dir.resolve("merged")), ids);
        double diff = unmerged.sub(reloaded).abs().max().item_double();
        assertTrue(diff < 1e-4, "merged vs unmerged max difference " + diff);
        assertTrue(unmerged.sub(logits(HfCheckpoints.write(dir.resolve("again"), base, ScalarType.Float, 1, 6), ids))
                .abs().max().item_double() > 1e-3, "the random adapter must change the output");
    }

    @Test
    void adapterRoundTripStoresOnlyAdapterTensors(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.qwen2(true);
        Path baseDir = dir.resolve("base");
        HfCheckpoints.write(baseDir, base, ScalarType.BFloat16, 2, 7);
        AdapterConfig adapter = new AdapterConfig(AdapterMethod.MEMORY_LORA, baseDir.toString(), lora(),
                memory(base, "{\"num_tokens\": 16, \"layers\": [1], \"chapters\": {\"count\": 4, \"top_k\": 2, \"routing\": \"prefix\"}}"));
        MemoryLM adapted = Adapters.create(baseDir, adapter);
        randomiseAdapter(adapted);
        Path out = dir.resolve("adapter");
        Adapters.save(adapted, adapter, out);

        Map<String, Tensor> stored = SafeTensors.read(out.resolve(Adapters.WEIGHTS));
        long expected = adapted.namedParameters().keySet().stream().filter(Adapters::isAdapterTensor).count();
        assertEquals(expected, stored.size());
        assertTrue(stored.containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
        assertTrue(stored.containsKey("base_model.model.model.layers.1.memory_attn.router.weight"));
        assertTrue(stored.containsKey("base_model.model.model.memory.banks.0.weight"));
        assertTrue(stored.keySet().stream().allMatch(n -> n.startsWith("base_model.model.")));

        Tensor ids = tokens(base.vocabSize());
        assertTrue(equal(logits(adapted, ids), logits(Adapters.load(baseDir, out), ids)));
        assertEquals(adapter, Adapters.readConfig(out, base));
    }

    /** The adapter file holds a quantised bank as its codes; loaded, it reads the dequantised bank. */
    @Test
    void quantisedBankAdapterRoundTripsAsItsCodes(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.llama(true);
        Path baseDir = dir.resolve("base");
        HfCheckpoints.write(baseDir, base, ScalarType.Float, 1, 10);
        AdapterConfig adapter = new AdapterConfig(AdapterMethod.MEMORY, baseDir.toString(), null, memory(base,
                "{\"num_tokens\": 16, \"layers\": [1], \"bank\": {\"kind\": \"reduced\", \"rank\": 8, \"quant\": \"int4\","
                        + " \"group_size\": 4}, \"projection_rank\": 4}"));
        MemoryLM adapted = Adapters.create(baseDir, adapter);
        randomiseAdapter(adapted);
        Path out = dir.resolve("adapter");
        Adapters.save(adapted, adapter, out);

        Map<String, Tensor> stored = SafeTensors.read(out.resolve(Adapters.WEIGHTS));
        String bank = "base_model.model.model.memory.banks.0.";
        assertEquals(ScalarType.Byte.value, stored.get(bank + "qweight").scalar_type().value);
        assertTrue(stored.containsKey(bank + "scales"));
        assertFalse(stored.containsKey(bank + "weight"));
        assertTrue(stored.containsKey("base_model.model.model.layers.1.memory_attn.k_proj.down.weight"));

        RowQuantizer q = RowQuantizer.of(adapter.membank().bank(), base.hiddenSize());
        try (NoGradGuard ignored = new NoGradGuard()) {
            Tensor weight = adapted.namedParameters().get("model.memory.banks.0.weight");
            RowQuantizer.Codes codes = q.quantise(weight);
            weight.copy_(q.dequantise(codes.codes(), codes.scales()));
        }
        Tensor ids = tokens(base.vocabSize());
        assertTrue(equal(logits(adapted, ids), logits(Adapters.load(baseDir, out), ids)));
    }

    @Test
    void onlyTrainableTensorsGetGradients(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.llama(true);
        HfCheckpoints.write(dir, base, ScalarType.Float, 1, 8);
        AdapterConfig adapter = new AdapterConfig(AdapterMethod.MEMORY_LORA, "base", lora(), memory(base, "{\"num_tokens\": 16}"));
        MemoryLM adapted = Adapters.create(dir, adapter);
        randomiseAdapter(adapted);
        Adapters.setTrainable(adapted, AdapterMethod.MEMORY_LORA, MemoryFreeze.BANK_KV);
        adapted.train(true);
        Tensor ids = tokens(base.vocabSize());
        adapted.loss(ids, ids).backward();
        adapted.namedParameters().forEach((name, p) -> {
            boolean frozen = !Adapters.isAdapterTensor(name) || name.startsWith("model.memory.banks.")
                    || name.contains("memory_attn.k_proj") || name.contains("memory_attn.v_proj");
            assertEquals(!frozen, p.requires_grad(), name);
            assertEquals(!frozen, p.grad().defined(), name);
        });
    }

    @Test
    void adapterConfigsThatWouldChangeTheMathAreRefused(@TempDir Path dir) throws Exception {
        ModelConfig base = HfCheckpoints.llama(true);
        String lora = "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"]";
        assertEquals(4, AdapterJson.parse(json(lora + "}"), base).lora().r());
        CheckpointTest.assertMentions(assertThrows(ConfigException.class,
                () -> AdapterJson.parse(json(lora + ", \"use_dora\": true}"), base)), "use_dora", "false");
        CheckpointTest.assertMentions(assertThrows(ConfigException.class,
                () -> AdapterJson.parse(json(lora.replace("[\"q_proj\"]", "\".*q_proj\"") + "}"), base)),
                "target_modules", "list");
        CheckpointTest.assertMentions(assertThrows(ConfigException.class,
                () -> AdapterJson.parse(json(lora.replace("q_proj", "qkv") + "}"), base)),
                "target_modules", "qkv", "q_proj");
        CheckpointTest.assertMentions(assertThrows(ConfigException.class,
                () -> AdapterJson.parse(json("{\"peft_type\": \"MEMORY\"}"), base)), "membank");
        HfCheckpoints.write(dir.resolve("base"), base, ScalarType.Float, 1, 9);
        CheckpointTest.assertMentions(assertThrows(CheckpointException.class,
                () -> Adapters.load(dir.resolve("base"), dir.resolve("no-adapter"))), "no-adapter", "adapter_config.json");
    }

    /** adapter_config.json exactly as PEFT 0.13 writes it for a LoRA on q_proj and v_proj. */
    private static final String PEFT_CONFIG = """
            {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
             "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
             "layer_replication": null, "layers_pattern": null, "layers_to_transform": null, "loftq_config": {},
             "lora_alpha": 16, "lora_dropout": 0.05, "megatron_config": null, "megatron_core": "megatron.core",
             "modules_to_save": null, "peft_type": "LORA", "r": 4, "rank_pattern": {}, "revision": null,
             "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM", "use_dora": false, "use_rslora": false}
            """;

    @Test
    void aPeftLoraAdapterLoadsAndActsAsWxPlusScaledBAx(@TempDir Path dir) throws Exception {
        ModelConfig base = HfCheckpoints.qwen2(true);
        Path baseDir = dir.resolve("base");
        MemoryLM plain = HfCheckpoints.write(baseDir, base, ScalarType.Float, 1, 12);
        Path peft = dir.resolve("peft");
        Files.createDirectories(peft);
        Files.writeString(peft.resolve(Adapters.CONFIG), PEFT_CONFIG);
        manual_seed(13);
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
        for (int layer = 0; layer < base.numHiddenLayers(); layer++) {
            for (String module : List.of("q_proj", "v_proj")) {
                long out = module.equals("q_proj") ? base.numAttentionHeads() * base.headDim() : base.numKeyValueHeads() * base.headDim();
                String name = "base_model.model.model.layers." + layer + ".self_attn." + module;
                tensors.put(name + ".lora_A.weight", org.bytedeco.pytorch.global.torch.randn(new long[] {4, base.hiddenSize()}));
                tensors.put(name + ".lora_B.weight", org.bytedeco.pytorch.global.torch.randn(new long[] {out, 4}).mul(Ops.scalar(0.1)));
            }
        }
        SafeTensors.write(peft.resolve(Adapters.WEIGHTS), tensors, Map.of("format", "pt"));

        MemoryLM adapted = Adapters.load(baseDir, peft);
        assertEquals(16.0 / 4, Adapters.readConfig(peft, base).lora().scale(), 1e-12);
        // The independent computation: W + (alpha / r) B A written into a plain copy of the base.
        try (NoGradGuard ignored = new NoGradGuard()) {
            Map<String, Tensor> params = plain.namedParameters();
            for (int layer = 0; layer < base.numHiddenLayers(); layer++) {
                for (String module : List.of("q_proj", "v_proj")) {
                    String name = "model.layers." + layer + ".self_attn." + module;
                    Tensor a = tensors.get("base_model.model." + name + ".lora_A.weight");
                    Tensor b = tensors.get("base_model.model." + name + ".lora_B.weight");
                    params.get(name + ".weight").add_(org.bytedeco.pytorch.global.torch.matmul(b, a).mul(Ops.scalar(4.0)));
                }
            }
        }
        Tensor ids = tokens(base.vocabSize());
        double diff = logits(plain, ids).sub(logits(adapted, ids)).abs().max().item_double();
        assertTrue(diff < 1e-4, "PEFT LoRA vs folded weights: max difference " + diff);
    }

    @Test
    void aBf16BaseStaysBf16UnderBf16Training(@TempDir Path dir) {
        ModelConfig base = HfCheckpoints.qwen2(false);
        HfCheckpoints.write(dir, base, ScalarType.BFloat16, 1, 14);
        AdapterConfig adapter = new AdapterConfig(AdapterMethod.MEMORY_LORA, "base", lora(), memory(base, "{\"num_tokens\": 16}"));
        MemoryLM float32 = Adapters.create(dir, adapter);
        MemoryLM bf16 = Adapters.create(dir, adapter);
        for (MemoryLM m : List.of(float32, bf16)) {
            randomiseAdapter(m);
            Adapters.setTrainable(m, AdapterMethod.MEMORY_LORA, MemoryFreeze.NONE);
        }
        Map<String, Tensor> same = bf16.namedParameters();
        try (NoGradGuard ignored = new NoGradGuard()) {
            float32.namedParameters().forEach((name, p) -> same.get(name).copy_(p));
        }
        Adapters.storeFrozenInBf16(bf16);
        bf16.namedParameters().forEach((name, p) -> assertEquals(Adapters.isAdapterTensor(name) ? "Float" : "BFloat16",
                p.scalar_type().intern().toString(), name));
        Tensor ids = tokens(base.vocabSize());
        Tensor expected;
        Tensor actual;
        try (var autocast = membank.nn.Precision.BF16.autocast()) {
            expected = logits(float32, ids).log_softmax(-1);
            bf16.train(true);
            Tensor loss = bf16.loss(ids, ids);
            loss.backward();
            actual = logits(bf16, ids).log_softmax(-1);
        }
        double diff = expected.sub(actual).abs().max().item_double();
        assertTrue(diff < 0.1, "bf16-stored base vs float32 copy under bf16 autocast: max log-prob difference " + diff);
        bf16.namedParameters().forEach((name, p) -> {
            if (p.requires_grad()) {
                assertTrue(p.grad().defined() && p.grad().isfinite().all().item_bool(), name);
            }
        });
    }
}
