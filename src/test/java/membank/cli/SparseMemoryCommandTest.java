package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.testing.FileDamage;

/** adapt --method sparse-memory on tiny bases with memory, then eval/score/generate with --adapter; and its refusals. */
class SparseMemoryCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IDS = "256,72,101,108,108,111,32,119,111,114,108,100";
    private static final String CHAPTERS = "membank.chapters={\"count\":8,\"top_k\":2,\"routing\":\"token\"}";
    @TempDir
    static Path tmp;
    static Path dense;
    static Path routed;
    static Path plain;

    @BeforeAll
    static void trainTinyBases() {
        dense = train("dense");
        routed = train("routed", "--set", CHAPTERS);
        plain = train("plain", "--set", "membank=null");
    }

    private static Path train(String name, String... extra) {
        Path dir = tmp.resolve(name);
        String[] common = {"train", "--preset", "tiny", "--steps", "3", "--out", dir.toString(), "--precision", "fp32",
                "--set", "training.data.entities=4", "--set", "training.eval_every=0", "--set", "training.batch_size=2",
                "--set", "training.seq_len=32"};
        CliRun r = CliRun.of(concat(common, extra));
        assertEquals(0, r.exit(), r.err());
        return dir;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static CliRun adapt(Path base, Path out, String... extra) {
        String[] common = {"adapt", "--base", base.toString(), "--out", out.toString(), "--method", "sparse-memory",
                "--steps", "2", "--precision", "fp32", "--background-batches", "2", "--set", "training.data.entities=4",
                "--set", "training.data.knowledge_seed=9", "--set", "training.batch_size=2", "--set", "training.seq_len=32",
                "--set", "training.bank_lr=1e-2", "--set", "training.eval_every=0"};
        return CliRun.of(concat(common, extra));
    }

    private static JsonNode logprobs(String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out()).get("logprobs");
    }

    @Test
    void denseRowsTrainAndTheAdapterApplies() throws Exception {
        Path out = tmp.resolve("smf");
        CliRun r = adapt(dense, out, "--top-t", "8", "--access-top-k", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("training 8 of 8 rows"), r.err());
        assertTrue(r.out().contains("adapter written to"), r.out());
        JsonNode config = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("SPARSE_MEMORY", config.get("peft_type").asText());
        assertEquals(8, config.at("/sparse_memory/trained_rows").asInt());
        assertTrue(Files.isRegularFile(out.resolve("sparse_memory.json")));

        JsonNode before = logprobs("score", "--model", dense.toString(), "--ids", IDS, "--json");
        JsonNode after = logprobs("score", "--model", dense.toString(), "--adapter", out.toString(), "--ids", IDS, "--json");
        assertFalse(before.equals(after), "the trained rows must change the scores");
        CliRun eval = CliRun.of("eval", "--model", dense.toString(), "--adapter", out.toString(), "--max-batches", "1");
        assertEquals(0, eval.exit(), eval.err());
        CliRun gen = CliRun.of("generate", "--model", dense.toString(), "--adapter", out.toString(), "--prompt", "Hello",
                "--max-tokens", "3", "--temperature", "0");
        assertEquals(0, gen.exit(), gen.err());
        CliRun verify = CliRun.of("inspect", "--verify", out.toString());
        assertEquals(0, verify.exit(), verify.out() + verify.err());
    }

    @Test
    void routedChaptersTrainWhole() throws Exception {
        Path out = tmp.resolve("smf-chapters");
        CliRun r = adapt(routed, out, "--unit", "chapters", "--top-t", "2");
        assertEquals(0, r.exit(), r.err());
        JsonNode config = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals(64, config.at("/sparse_memory/trained_rows").asInt(), "2 chapters of 32 rows");
        JsonNode counts = JSON.readTree(out.resolve("sparse_memory.json").toFile());
        assertEquals(8, counts.at("/counts/0/new_accesses").size(), "one count per chapter");
        // token routing, top_k 2: each of the 2 x 32 positions of a counted sequence reads 2 chapters
        assertEquals(2L * 2 * 32 * 2, counts.at("/new_data/accesses").asLong());
        JsonNode after = logprobs("score", "--model", routed.toString(), "--adapter", out.toString(), "--ids", IDS, "--json");
        assertEquals(IDS.split(",").length - 1, after.size());
    }

    @Test
    void aDamagedAdapterIsRefused() throws Exception {
        Path out = tmp.resolve("smf-damaged");
        assertEquals(0, adapt(dense, out, "--top-t", "4", "--access-top-k", "2").exit());
        Path weights = out.resolve("adapter_model.safetensors");
        FileDamage.flipByteOf(weights, "base_model.model.model.memory.banks.0.weight.rows.values");
        CliRun r = CliRun.of("score", "--model", dense.toString(), "--adapter", out.toString(), "--ids", IDS);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("CRC32C"), r.err());
    }

    @Test
    void compareAdaptersOnABaseWithMemoryHasASparseMemoryRow() {
        Path out = tmp.resolve("compare");
        CliRun r = CliRun.of("compare-adapters", "--base", dense.toString(), "--methods", "sparse-memory,full", "--steps", "2",
                "--generate", "4", "--precision", "fp32", "--out", out.toString(), "--top-t", "8", "--access-top-k", "2",
                "--background-batches", "2", "--set", "training.batch_size=2", "--set", "training.seq_len=32");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| method")).toList();
        assertEquals(List.of("base", "sparse-memory", "full"), rows.stream().map(l -> l.split("\\|")[1].trim()).toList(), r.out());
        assertEquals("512", rows.get(1).split("\\|")[5].trim(), "8 rows of 64 train: " + rows.get(1));
        assertTrue(Files.isRegularFile(out.resolve("1x/memory/sparse-memory/seed-0/sparse_memory.json")));
        CliRun memory = CliRun.of("compare-adapters", "--base", dense.toString(), "--methods", "memory,sparse-memory",
                "--out", tmp.resolve("compare2").toString());
        assertEquals(1, memory.exit());
        assertTrue(memory.err().contains("--methods memory") && memory.err().contains("base-nomem"), memory.err());
        CliRun plainBase = CliRun.of("compare-adapters", "--base", plain.toString(), "--methods", "sparse-memory",
                "--out", tmp.resolve("compare3").toString());
        assertEquals(1, plainBase.exit());
        assertTrue(plainBase.err().contains("no --base has a memory bank"), plainBase.err());
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        CliRun noMemory = adapt(plain, tmp.resolve("x1"));
        assertEquals(1, noMemory.exit());
        assertTrue(noMemory.err().contains("has no memory bank") && noMemory.err().contains("--method memory"), noMemory.err());
        CliRun tooMany = adapt(dense, tmp.resolve("x2"), "--top-t", "257");
        assertEquals(1, tooMany.exit());
        assertTrue(tooMany.err().contains("--top-t 257") && tooMany.err().contains("256 rows"), tooMany.err());
        CliRun chapters = adapt(dense, tmp.resolve("x3"), "--unit", "chapters");
        assertEquals(1, chapters.exit());
        assertTrue(chapters.err().contains("no chapters") && chapters.err().contains("--unit rows"), chapters.err());
        CliRun freeze = adapt(dense, tmp.resolve("x4"), "--freeze", "bank");
        assertEquals(1, freeze.exit());
        assertTrue(freeze.err().contains("--freeze bank"), freeze.err());
        CliRun memorySet = adapt(dense, tmp.resolve("x5"), "--set", "membank.num_tokens=64");
        assertEquals(1, memorySet.exit());
        assertTrue(memorySet.err().contains("membank.num_tokens") && memorySet.err().contains("training.*"), memorySet.err());
        CliRun wrongMethod = CliRun.of("adapt", "--base", plain.toString(), "--method", "lora", "--top-t", "3",
                "--out", tmp.resolve("x6").toString());
        assertEquals(1, wrongMethod.exit());
        assertTrue(wrongMethod.err().contains("--top-t") && wrongMethod.err().contains("sparse-memory"), wrongMethod.err());
        CliRun unit = adapt(dense, tmp.resolve("x7"), "--unit", "cells");
        assertEquals(1, unit.exit());
        assertTrue(unit.err().contains("--unit cells") && unit.err().contains("chapters"), unit.err());
        CliRun background = adapt(dense, tmp.resolve("x8"), "--background", tmp.resolve("none.txt").toString());
        assertEquals(1, background.exit());
        assertTrue(background.err().contains("--background") && background.err().contains("none.txt"), background.err());
        for (String x : new String[] {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"}) {
            assertFalse(Files.exists(tmp.resolve(x)), "refused runs must write nothing: " + x);
        }
    }
}
