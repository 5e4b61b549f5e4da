package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.context.FileContextStore;

/** context train, context eval and chat end to end on a tiny model. */
class ContextCommandsTest {
    @TempDir
    static Path tmp;
    static Path base;
    static Path withContext;

    @BeforeAll
    static void trainTinyModelAndItsEncoder() {
        base = tmp.resolve("base");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--steps", "2", "--out", base.toString(), "--precision", "fp32",
                "--set", "training.data.entities=4", "--set", "training.eval_every=0");
        assertEquals(0, r.exit(), r.err());
        withContext = tmp.resolve("context");
        CliRun c = CliRun.of("context", "train", "--model", base.toString(), "--out", withContext.toString(), "--steps", "3",
                "--batch-size", "2", "--distractors", "1", "--segment-length", "48", "--ratio", "8", "--kv", "own", "--no-progress");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("| with the context bank |"), c.out());
    }

    @Test
    void contextTrainWritesAModelWithTheContextBlock() throws Exception {
        JsonNode config = new ObjectMapper().readTree(withContext.resolve("config.json").toFile());
        assertEquals(8, config.path("membank").path("context").path("ratio").asInt());
        assertEquals("own", config.path("membank").path("context").path("kv").asText());
        JsonNode training = new ObjectMapper().readTree(withContext.resolve("context_training.json").toFile());
        assertEquals("segments", training.path("task").asText());
        assertEquals(config.path("training").path("seq_len").asInt(),
                new ObjectMapper().readTree(base.resolve("config.json").toFile()).path("training").path("seq_len").asInt());
        assertTrue(Files.isRegularFile(withContext.resolve("tokenizer.json")));
        assertEquals(3, Files.readAllLines(withContext.resolve("metrics.jsonl")).size());
    }

    @Test
    void contextTrainRefusesAModelWithoutMemory() {
        Path plain = tmp.resolve("plain");
        CliRun trained = CliRun.of("train", "--preset", "small-nomem", "--steps", "1", "--out", plain.toString(),
                "--precision", "fp32", "--set", "training.data.entities=2", "--set", "training.eval_every=0",
                "--set", "training.batch_size=2");
        assertEquals(0, trained.exit(), trained.err());
        CliRun r = CliRun.of("context", "train", "--model", plain.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no memory layers"), r.err());
        assertFalse(Files.exists(tmp.resolve("x").resolve("model.safetensors")));
        CliRun ratio = CliRun.of("context", "train", "--model", base.toString(), "--out", tmp.resolve("y").toString(), "--ratio", "0");
        assertEquals(1, ratio.exit());
        assertTrue(ratio.err().contains("membank.context.ratio"), ratio.err());
    }

    @Test
    void evalPrintsEveryCondition() {
        CliRun r = CliRun.of("context", "eval", "--model", withContext.toString(), "--people", "2", "--window", "24",
                "--segment-length", "48", "--no-progress", "--report", tmp.resolve("report.md").toString());
        assertEquals(0, r.exit(), r.err());
        for (String condition : new String[] {"no context bank", "| context bank |", "raw session-1 text", "consolidated to half"}) {
            assertTrue(r.out().contains(condition), r.out());
        }
        assertTrue(r.out().contains("bytes per remembered token"), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("report.md")));

        CliRun tooWide = CliRun.of("context", "eval", "--model", withContext.toString(), "--window", "100000");
        assertEquals(1, tooWide.exit());
        assertTrue(tooWide.err().contains("--window 100000 must be in [8, "), tooWide.err());
    }

    @Test
    void chatRemembersAcrossSessionsAndForgets() throws Exception {
        Path store = tmp.resolve("store");
        CliRun first = chat(store, "ada", "Ada Lindqvist was born in Lisbon.\n/stats\n");
        assertEquals(0, first.exit(), first.err());
        int afterFirst = vectors(first.out());
        assertTrue(afterFirst > 0, first.out());
        var bank = new FileContextStore(store).load("ada");
        assertTrue(bank.isPresent());
        assertEquals(afterFirst, bank.get().size());

        // a second session (a new process, as far as the bank knows) starts from what the first saved
        CliRun second = chat(store, "ada", "/stats\nWhere was Ada born?\n/stats\n");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains(afterFirst + " context vectors"), second.out());
        // another user's bank is untouched and separate
        CliRun other = chat(store, "bob", "/stats\n");
        assertTrue(other.out().contains("0 context vectors"), other.out());

        CliRun compact = CliRun.of("context", "compact", "--user", "ada", "--to", "1", "--store", store.toString());
        assertEquals(0, compact.exit(), compact.err());
        assertTrue(compact.out().contains("-> 1 vectors"), compact.out());
        assertEquals(1, new FileContextStore(store).load("ada").get().size());
        CliRun missing = CliRun.of("context", "compact", "--user", "carol", "--to", "1", "--store", store.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("'carol' has no context bank"), missing.err());

        CliRun forget = chat(store, "ada", "/forget\n/stats\n");
        assertTrue(forget.out().contains("forgot everything"), forget.out());
        assertTrue(new FileContextStore(store).load("ada").isEmpty());
    }

    @Test
    void chatConsolidatesABankPastItsCapacity() {
        Path store = tmp.resolve("small-store");
        CliRun r = chat(store, "cy", "Cyrus Novak lives in Oslo.\nHe works as a baker.\nHe likes chess.\n/stats\n",
                "--capacity", "2");
        assertEquals(0, r.exit(), r.err());
        var bank = new FileContextStore(store).load("cy").orElseThrow();
        assertTrue(bank.size() <= 2, "bank of " + bank.size() + " vectors");
        // merged vectors still stand for every vector remembered
        assertTrue(bank.totalMass() > bank.size(), "total mass " + bank.totalMass());
    }

    private static CliRun chat(Path store, String user, String input, String... extra) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            String[] args = {"chat", "--model", withContext.toString(), "--user", user, "--store", store.toString(),
                    "--max-tokens", "4", "--window", "32", "--segment-length", "48"};
            String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
            System.arraycopy(extra, 0, all, args.length, extra.length);
            return CliRun.of(all);
        } finally {
            System.setIn(saved);
        }
    }

    /** The vector count of the last /stats line. */
    private static int vectors(String out) {
        Matcher m = Pattern.compile("([0-9,]+) context vectors").matcher(out);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1).replace(",", ""));
        }
        return last;
    }
}
