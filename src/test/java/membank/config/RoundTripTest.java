package membank.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static membank.config.ConfigAssertions.json;
import static membank.config.ConfigAssertions.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** parse(toJson(c)) == c, defaults fill in, and toJson writes the spec's keys. */
class RoundTripTest {

    private static ModelConfig chaptered() {
        ObjectNode root = tinyModel();
        ConfigAssertions.membank(root).set("chapters", json("""
                {"count": 8, "top_k": 2, "shared": 1, "routing": "prefix", "mixing": "joint"}"""));
        ConfigAssertions.membank(root).put("sharing", "every_k").put("sharing_k", 2).put("variant", "B");
        return ConfigJson.parseModel(root);
    }

    @Test
    void modelRoundTrips() {
        ModelConfig model = chaptered();
        assertEquals(model, ConfigJson.parseModel(ConfigJson.toJson(model)));
    }

    @Test
    void llamaRoundTripsWithBiasAndNullTokenIds() {
        ModelConfig llama = ConfigJson.parseModel(json("""
                {"model_type": "llama", "vocab_size": 100, "hidden_size": 48, "intermediate_size": 96,
                 "num_hidden_layers": 2, "num_attention_heads": 5, "head_dim": 8, "attention_bias": true}"""));
        assertTrue(llama.attentionBias());
        assertNull(llama.bosTokenId());
        ObjectNode written = ConfigJson.toJson(llama);
        assertEquals("LlamaForCausalLM", written.get("architectures").get(0).asText());
        assertTrue(written.get("attention_bias").asBoolean());
        assertEquals(llama, ConfigJson.parseModel(written));
    }

    @Test
    void runConfigRoundTrips() {
        ObjectNode root = tinyModel();
        root.set("training", json("""
                {"steps": 50, "lr": 3e-4, "bank_lr": 1e-2, "schedule": "wsd", "precision": "bf16",
                 "data": {"kind": "jsonl", "path": "/tmp/x.jsonl", "tokenizer": "tok.json"}}"""));
        RunConfig run = RunConfig.parse(root);
        assertEquals(1e-2, run.training().effectiveBankLr());
        assertEquals(3e-4, run.training().effectiveMemoryLr());
        assertEquals(run, RunConfig.parse(ConfigJson.toJson(run)));
    }

    @Test
    void modelDefaultsFollowHuggingFace() {
        ModelConfig m = ConfigJson.parseModel(json("""
                {"model_type": "qwen2", "vocab_size": 320, "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "attention_bias": false}"""));
        assertEquals(4, m.numKeyValueHeads());
        assertEquals(16, m.headDim());
        assertEquals(1e-6, m.rmsNormEps());
        assertEquals(1e6, m.ropeTheta());
        assertEquals(2048, m.maxPositionEmbeddings());
        assertFalse(m.tieWordEmbeddings());
        assertTrue(m.attentionBias(), "qwen2 always has q/k/v biases");
        assertEquals(ModelConfig.Dtype.FLOAT32, m.torchDtype());
        ModelConfig llama = ConfigJson.parseModel(json("""
                {"model_type": "llama", "vocab_size": 320, "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4}"""));
        assertEquals(1e4, llama.ropeTheta());
        assertFalse(llama.attentionBias());
    }

    @Test
    void memoryDefaultsComeFromTheModel() {
        ObjectNode root = tinyModel();
        root.set("membank", json("{\"num_tokens\": 32}"));
        MemoryConfig m = ConfigJson.parseModel(root).membank();
        assertEquals(MemoryConfig.Variant.A, m.variant());
        assertEquals(List.of(0, 1, 2, 3), m.layers());
        assertEquals(MemoryConfig.Sharing.SHARED, m.sharing());
        assertEquals(List.of(1, 32, 4, 4, 16), List.of(m.sharingK(), m.numTokens(), m.numHeads(), m.numKvHeads(), m.headDim()));
        assertEquals(BankConfig.dense(), m.bank());
        assertNull(m.projectionRank());
        assertNull(m.chapters());
        assertNull(m.routerLosses());
        assertNull(m.context());
    }

    @Test
    void bankKindsQuantisationAndProjectionRankRoundTrip() {
        for (String bank : List.of("{\"kind\": \"factorized\", \"rank\": 8}", "{\"kind\": \"reduced\", \"rank\": 16, \"quant\": \"int8\"}",
                "{\"kind\": \"dense\", \"quant\": \"int4\", \"group_size\": 16}")) {
            ObjectNode root = tinyModel();
            ConfigAssertions.membank(root).set("bank", json(bank));
            ConfigAssertions.membank(root).put("projection_rank", 4);
            ModelConfig model = ConfigJson.parseModel(root);
            assertEquals(model, ConfigJson.parseModel(ConfigJson.toJson(model)), bank);
            assertEquals(4, model.membank().projectionRank());
        }
        ObjectNode int4 = tinyModel();
        ConfigAssertions.membank(int4).set("bank", json("{\"quant\": \"int4\"}"));
        assertEquals(new BankConfig(BankConfig.Kind.DENSE, null, BankConfig.Quant.INT4, 32), ConfigJson.parseModel(int4).membank().bank());
        assertEquals(json("{\"kind\": \"dense\", \"rank\": null, \"quant\": \"int4\", \"group_size\": 32}"),
                ConfigJson.toJson(ConfigJson.parseModel(int4)).get("membank").get("bank"));
    }

    @Test
    void routerLossesDefaultWithChaptersAndMayBeNull() {
        assertEquals(RouterLossConfig.defaults(), chaptered().membank().routerLosses());
        ObjectNode root = tinyModel();
        ConfigAssertions.membank(root).set("chapters", json("{\"count\": 4, \"top_k\": 1}"));
        ConfigAssertions.membank(root).putNull("router_losses");
        MemoryConfig m = ConfigJson.parseModel(root).membank();
        assertNull(m.routerLosses());
        assertEquals(ChapterConfig.of(4, 1), m.chapters());
    }

    @Test
    void membankBlockHasEverySpecKey() {
        ObjectNode memory = (ObjectNode) ConfigJson.toJson(chaptered()).get("membank");
        List<String> keys = List.of("variant", "layers", "sharing", "sharing_k", "num_tokens", "num_heads",
                "num_kv_heads", "head_dim", "bank", "projection_rank", "chapters", "router_losses");
        List<String> written = new java.util.ArrayList<>();
        memory.fieldNames().forEachRemaining(written::add);
        assertEquals(keys, written);
        assertEquals(json("{\"kind\": \"dense\", \"rank\": null, \"quant\": null}"), memory.get("bank"));
    }

    @Test
    void plainModelParsesWithAndWithoutNullMembank() {
        ObjectNode root = tinyModel();
        root.putNull("membank");
        ModelConfig m = ConfigJson.parseModel(root);
        assertFalse(m.hasMemory());
        assertFalse(ConfigJson.toJson(m).has("membank"));
    }

    @Test
    void trainingDefaults() {
        TrainConfig t = ConfigJson.parseTraining(null);
        assertEquals(t, ConfigJson.parseTraining(json("{}")));
        assertEquals(1000, t.steps());
        assertEquals(1e-3, t.lr());
        assertEquals(100, t.warmupSteps());
        assertEquals(TrainConfig.Schedule.COSINE, t.schedule());
        assertEquals(TrainConfig.PrecisionChoice.AUTO, t.precision());
        assertEquals(DataConfig.defaults(), t.data());
        assertEquals(DataConfig.Kind.KNOWLEDGE, t.data().kind());
        assertEquals(200, t.data().entities());
        assertEquals(0.05, t.data().valFraction());
        assertEquals("byte", t.data().tokenizer());
        assertEquals(t, ConfigJson.parseTraining(ConfigJson.toJson(t)));
    }

    @Test
    void modelIgnoresTrainingBlockAndKnownHuggingFaceKeys() {
        ObjectNode root = tinyModel();
        root.set("training", json("{\"steps\": 5}"));
        root.set("architectures", json("{\"a\": [\"Qwen2ForCausalLM\"]}").get("a"));
        root.put("hidden_act", "silu").put("use_sliding_window", false).put("sliding_window", 4096)
                .put("transformers_version", "4.43.1").put("initializer_range", 0.02).putNull("rope_scaling");
        root.set("eos_token_id", json("{\"a\": [7, 8]}").get("a"));
        ModelConfig m = ConfigJson.parseModel(root);
        assertEquals(7, m.eosTokenId());
    }

    @Test
    void writeModelIsAtomicAndReadable(@TempDir Path dir) throws Exception {
        ModelConfig model = chaptered();
        Path file = dir.resolve("config.json");
        Files.writeString(file, "old");
        ConfigJson.writeModel(file, model);
        assertEquals(model, ConfigJson.readModel(file));
        assertTrue(Files.readString(file).contains("\n  \"model_type\""), "pretty printed");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }
}
