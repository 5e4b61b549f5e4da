package membank.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static membank.config.ConfigAssertions.assertConfigError;
import static membank.config.ConfigAssertions.json;
import static membank.config.ConfigAssertions.membank;
import static membank.config.ConfigAssertions.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each rejected value gets a message naming the dotted key, the value and what is allowed. */
class ValidationErrorTest {

    private static void assertModelError(ObjectNode root, String... fragments) {
        assertConfigError(() -> ConfigJson.parseModel(root), fragments);
    }

    private static void assertTrainingError(String training, String... fragments) {
        assertConfigError(() -> ConfigJson.parseTraining(json(training)), fragments);
    }

    @Test
    void layerIndexOutOfRange() {
        ObjectNode root = tinyModel();
        membank(root).set("layers", json("{\"a\": [0, 1, 9]}").get("a"));
        assertModelError(root, "config key 'membank.layers[2]' has value 9: a layer index must be in [0, 3] "
                + "(num_hidden_layers is 4)");
    }

    @Test
    void headsMustDivideHiddenUnlessHeadDimIsSet() {
        ObjectNode root = tinyModel();
        root.put("num_attention_heads", 5).put("num_key_value_heads", 5);
        membank(root).put("num_heads", 4);
        assertModelError(root, "config key 'num_attention_heads' has value 5: must divide hidden_size 64 (or set head_dim)");
        root.put("head_dim", 16);
        ConfigJson.parseModel(root);
    }

    @Test
    void kvHeadsMustDivideHeads() {
        ObjectNode root = tinyModel();
        root.put("num_key_value_heads", 3);
        assertModelError(root, "'num_key_value_heads' has value 3", "must divide num_attention_heads 4");
        ObjectNode memory = tinyModel();
        membank(memory).put("num_heads", 4).put("num_kv_heads", 3);
        assertModelError(memory, "'membank.num_kv_heads' has value 3", "must divide membank.num_heads 4");
    }

    @Test
    void memoryHeadsMustDivideHiddenUnlessHeadDimIsSet() {
        ObjectNode root = tinyModel();
        membank(root).put("num_heads", 6).put("num_kv_heads", 3);
        assertModelError(root, "'membank.num_heads' has value 6", "or set membank.head_dim");
    }

    @Test
    void unknownSharing() {
        ObjectNode root = tinyModel();
        membank(root).put("sharing", "both");
        assertModelError(root, "config key 'membank.sharing' has value \"both\": allowed: shared, per_layer, every_k");
    }

    @Test
    void unknownKeysAnywhere() {
        ObjectNode memory = tinyModel();
        membank(memory).put("colour", "red");
        assertModelError(memory, "config key 'membank.colour' is unknown; allowed keys: variant, layers,");
        ObjectNode top = tinyModel();
        top.put("hiden_size", 64);
        assertModelError(top, "'hiden_size' is unknown");
        ObjectNode bank = tinyModel();
        membank(bank).set("bank", json("{\"kind\": \"dense\", \"size\": 1}"));
        assertModelError(bank, "'membank.bank.size' is unknown");
        ObjectNode chapters = tinyModel();
        membank(chapters).set("chapters", json("{\"count\": 4, \"top_k\": 1, \"topk\": 2}"));
        assertModelError(chapters, "'membank.chapters.topk' is unknown");
        ObjectNode losses = tinyModel();
        membank(losses).set("router_losses", json("{\"entropy\": 0.1}"));
        assertModelError(losses, "'membank.router_losses.entropy' is unknown");
        assertTrainingError("{\"step\": 3}", "'training.step' is unknown");
        assertTrainingError("{\"data\": {\"file\": \"x\"}}", "'training.data.file' is unknown");
    }

    @Test
    void wrongJsonTypesNameTheKey() {
        ObjectNode root = tinyModel();
        root.put("hidden_size", "64");
        assertModelError(root, "config key 'hidden_size' has value \"64\": must be an integer");
        ObjectNode fraction = tinyModel();
        fraction.put("vocab_size", 320.5);
        assertModelError(fraction, "'vocab_size' has value 320.5: must be an integer");
        ObjectNode tied = tinyModel();
        tied.put("tie_word_embeddings", "yes");
        assertModelError(tied, "'tie_word_embeddings' has value \"yes\": must be true or false");
        assertTrainingError("{\"lr\": \"fast\"}", "'training.lr' has value \"fast\": must be a number");
        ObjectNode variant = tinyModel();
        membank(variant).put("variant", 2);
        assertModelError(variant, "'membank.variant' has value 2: must be a string");
    }

    @Test
    void requiredAndPositiveSizes() {
        ObjectNode missing = tinyModel();
        missing.remove("hidden_size");
        assertModelError(missing, "'hidden_size' is missing");
        ObjectNode zero = tinyModel();
        zero.put("num_hidden_layers", 0);
        assertModelError(zero, "'num_hidden_layers' has value 0: must be a positive integer");
        ObjectNode tokens = tinyModel();
        membank(tokens).put("num_tokens", 0);
        assertModelError(tokens, "'membank.num_tokens' has value 0");
        ObjectNode sharingK = tinyModel();
        membank(sharingK).put("sharing", "every_k").put("sharing_k", 0);
        assertModelError(sharingK, "'membank.sharing_k' has value 0");
        ObjectNode type = tinyModel();
        type.put("model_type", "mistral");
        assertModelError(type, "'model_type' has value \"mistral\": allowed: qwen2, llama");
    }

    @Test
    void variantMustBeAOrB() {
        ObjectNode root = tinyModel();
        membank(root).put("variant", "C");
        assertModelError(root, "'membank.variant' has value \"C\": allowed: A, B");
    }

    private static void assertBankError(String bank, String... fragments) {
        ObjectNode root = tinyModel();
        membank(root).set("bank", json(bank));
        assertModelError(root, fragments);
    }

    @Test
    void bankKindRankAndQuantisation() {
        assertBankError("{\"kind\": \"sparse\"}",
                "config key 'membank.bank.kind' has value \"sparse\": allowed: dense, factorized, reduced");
        assertBankError("{\"kind\": \"dense\", \"rank\": 8}",
                "config key 'membank.bank.rank' has value 8: must be null for a dense bank");
        assertBankError("{\"kind\": \"factorized\"}",
                "config key 'membank.bank.rank' is missing", "factorized", "[1, 64]");
        assertBankError("{\"kind\": \"reduced\", \"rank\": 0}",
                "config key 'membank.bank.rank' has value 0: must be in [1, 64] (hidden_size)");
        assertBankError("{\"kind\": \"reduced\", \"rank\": 65}", "'membank.bank.rank' has value 65", "[1, 64]");
        assertBankError("{\"kind\": \"dense\", \"quant\": \"int2\"}",
                "config key 'membank.bank.quant' has value \"int2\": allowed: int8, int4");
        assertBankError("{\"kind\": \"dense\", \"quant\": {\"kind\": \"int4\"}}", "'membank.bank.quant'", "must be a string");
        assertBankError("{\"kind\": \"factorized\", \"rank\": 8, \"quant\": \"int8\"}",
                "config key 'membank.bank.quant' has value \"int8\": a factorized bank is not quantised", "dense or reduced");
        assertBankError("{\"quant\": \"int8\", \"group_size\": 16}",
                "config key 'membank.bank.group_size' has value 16: must be null unless quant is int4");
        assertBankError("{\"quant\": \"int4\", \"group_size\": 24}",
                "config key 'membank.bank.group_size' has value 24: must be an even number that divides the bank row width 64");
        assertBankError("{\"quant\": \"int4\", \"group_size\": 1}", "'membank.bank.group_size' has value 1");
        // The default group of 32 must divide a reduced bank's rank too.
        assertBankError("{\"kind\": \"reduced\", \"rank\": 24, \"quant\": \"int4\"}",
                "'membank.bank.group_size' has value 32", "row width 24");
    }

    @Test
    void projectionRankIsNullOrInRange() {
        for (int rank : new int[] {0, 65}) {
            ObjectNode root = tinyModel();
            membank(root).put("projection_rank", rank);
            assertModelError(root, "config key 'membank.projection_rank' has value " + rank
                    + ": must be null (full projections) or in [1, 64] (hidden_size)");
        }
    }

    @Test
    void chapterRules() {
        assertChapterError("{\"count\": 0, \"top_k\": 1}", "'membank.chapters.count' has value 0");
        assertChapterError("{\"count\": 5, \"top_k\": 1}", "'membank.chapters.count' has value 5",
                "must divide membank.num_tokens 64");
        assertChapterError("{\"count\": 4, \"top_k\": 1, \"shared\": 4}", "'membank.chapters.shared' has value 4",
                "[0, 3]");
        assertChapterError("{\"count\": 4, \"top_k\": 4, \"shared\": 1}", "'membank.chapters.top_k' has value 4",
                "[1, 3]");
        assertChapterError("{\"count\": 4, \"top_k\": 0}", "'membank.chapters.top_k' has value 0");
        assertChapterError("{\"count\": 4, \"top_k\": 1, \"routed_scale\": 0}",
                "'membank.chapters.routed_scale' has value 0.0");
        assertChapterError("{\"count\": 4, \"top_k\": 1, \"routing\": \"global\"}",
                "'membank.chapters.routing' has value \"global\": allowed: sequence, prefix, token");
        assertChapterError("{\"count\": 4, \"top_k\": 1, \"mixing\": \"sum\"}",
                "'membank.chapters.mixing' has value \"sum\": allowed: independent, joint");
    }

    private static void assertChapterError(String chapters, String... fragments) {
        ObjectNode root = tinyModel();
        membank(root).set("chapters", json(chapters));
        assertModelError(root, fragments);
    }

    @Test
    void huggingFaceKeysThatChangeTheMath() {
        ObjectNode act = tinyModel();
        act.put("hidden_act", "gelu");
        assertModelError(act, "'hidden_act' has value \"gelu\": must be \"silu\"");
        ObjectNode window = tinyModel();
        window.put("use_sliding_window", true);
        assertModelError(window, "'use_sliding_window' has value true: must be false");
        ObjectNode scaling = tinyModel();
        scaling.set("rope_scaling", json("{\"type\": \"linear\", \"factor\": 2.0}"));
        assertModelError(scaling, "'rope_scaling'", "must be null");
        ObjectNode mlpBias = tinyModel();
        mlpBias.put("mlp_bias", true);
        assertModelError(mlpBias, "'mlp_bias' has value true: must be false");
    }

    @Test
    void trainingRanges() {
        assertTrainingError("{\"lr\": 0}", "'training.lr' has value 0.0: must be a finite number > 0");
        assertTrainingError("{\"warmup_steps\": -1}", "'training.warmup_steps' has value -1");
        assertTrainingError("{\"batch_size\": 0}", "'training.batch_size' has value 0");
        assertTrainingError("{\"precision\": \"fp16\"}", "'training.precision' has value \"fp16\": allowed: auto, fp32, bf16");
        assertTrainingError("{\"schedule\": \"linear\"}", "'training.schedule' has value \"linear\": allowed: cosine, wsd, constant");
        assertTrainingError("{\"bank_update\": \"sparse\"}",
                "config key 'training.bank_update' has value \"sparse\": allowed: dense, rows_read");
        assertTrainingError("{\"beta2\": 1.0}", "'training.beta2' has value 1.0");
        assertTrainingError("{\"grad_clip\": -1}", "'training.grad_clip' has value -1.0");
        assertTrainingError("{\"bank_lr\": -0.1}", "'training.bank_lr' has value -0.1");
        assertTrainingError("{\"data\": {\"kind\": \"text\"}}", "'training.data.path' is missing", "\"text\"");
        assertTrainingError("{\"data\": {\"kind\": \"csv\"}}", "'training.data.kind' has value \"csv\": allowed: knowledge, text, jsonl");
        assertTrainingError("{\"data\": {\"val_fraction\": 1.0}}", "'training.data.val_fraction' has value 1.0");
    }

    @Test
    void precisionIsOneOfItsSpellings() {
        assertTrainingError("{\"precision\": \"BF16\"}",
                "config key 'training.precision' has value \"BF16\": allowed: auto, fp32, bf16");
        assertTrainingError("{\"precision\": 16}", "config key 'training.precision' has value 16: must be a string");
        for (TrainConfig.PrecisionChoice p : TrainConfig.PrecisionChoice.values()) {
            TrainConfig t = ConfigJson.parseTraining(json("{\"precision\": \"" + p + "\"}"));
            assertEquals(p, t.precision());
            assertEquals(p.toString(), ConfigJson.toJson(t).get("precision").asText());
        }
        assertEquals(membank.nn.Precision.BF16, TrainConfig.PrecisionChoice.BF16.resolve());
        assertEquals(membank.nn.Precision.FP32, TrainConfig.PrecisionChoice.FP32.resolve());
    }

    @Test
    void shortRunsGetAWarmupThatFits() {
        assertEquals(50,
                ConfigJson.parseTraining(json("{\"steps\": 50}")).warmupSteps());
    }

    @Test
    void brokenFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        assertConfigError(() -> ConfigJson.readModel(file), "does not exist");
        Files.writeString(file, "{\"model_type\": ");
        assertConfigError(() -> ConfigJson.readModel(file), "is not valid JSON");
        Files.writeString(file, "[1]");
        assertConfigError(() -> ConfigJson.readModel(file), "must be a JSON object");
    }

    @Test
    void contextBlockIsValidatedAndRoundTrips() {
        ObjectNode root = tinyModel();
        membank(root).set("context", json("{\"ratio\": 8, \"kv\": \"own\"}"));
        ModelConfig parsed = ConfigJson.parseModel(root);
        assertEquals(new ContextConfig.Builder().ratio(8).kv(ContextConfig.Kv.OWN).build(), parsed.membank().context());
        assertEquals(256, parsed.membank().context().readLimit());
        assertEquals(parsed, ConfigJson.parseModel(ConfigJson.toJson(parsed)));

        ObjectNode zero = tinyModel();
        membank(zero).set("context", json("{\"ratio\": 0}"));
        assertModelError(zero, "membank.context.ratio");
        ObjectNode unknown = tinyModel();
        membank(unknown).set("context", json("{\"colour\": 1}"));
        assertModelError(unknown, "membank.context.colour");
        ObjectNode reduced = tinyModel();
        membank(reduced).set("bank", json("{\"kind\": \"reduced\", \"rank\": 16}"));
        membank(reduced).set("context", json("{}"));
        assertModelError(reduced, "membank.context.kv", "set membank.context.kv=own");
    }

    @Test
    void theWordTokenizerNeedsTheKnowledgeSet() {
        assertTrainingError("{\"data\": {\"kind\": \"jsonl\", \"path\": \"x.jsonl\", \"tokenizer\": \"word\"}}",
                "config key 'training.data.tokenizer' has value \"word\"", "needs training.data.kind \"knowledge\" (here \"jsonl\")",
                "use \"byte\" or a path to a tokenizer.json");
    }
}
