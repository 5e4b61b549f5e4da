package membank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.data.Tokenizer;
import membank.data.WordTokenizer;

/** training.data.tokenizer = "word" end to end: the run writes its tokenizer.json, and eval loads it by path. */
class WordTokenizerCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aRunWithTheWordTokenizerWritesItAndEvaluates() throws Exception {
        Path run = tmp.resolve("run");
        CliRun train = CliRun.of("train", "--preset", "tiny", "--set", "training.data.tokenizer=word", "--steps", "5",
                "--out", run.toString(), "--precision", "fp32", "--set", "training.eval_every=0");
        assertEquals(0, train.exit(), train.err());
        Path file = run.resolve("tokenizer.json");
        assertTrue(Files.readString(file, StandardCharsets.UTF_8).contains("\"WordLevel\""));
        // The preset's byte-sized vocab_size was raised to cover the word vocabulary, and recorded.
        // So were its BOS/EOS ids, which eval reads from config.json beside tokenizer.json before the tokenizer's own.
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertTrue(config.get("vocab_size").asInt() >= WordTokenizer.vocabSize(), config.toString());
        assertEquals(WordTokenizer.EOS_ID, config.get("eos_token_id").asInt());
        assertEquals(WordTokenizer.BOS_ID, config.get("bos_token_id").asInt());
        try (Tokenizer saved = Tokenizer.load(run); Tokenizer fresh = Tokenizer.load(written())) {
            assertEquals(WordTokenizer.EOS_ID, saved.eosId().getAsInt());
            String s = "Ada Abbott was born in the city of Lisbon.";
            assertArrayEquals(fresh.encode(s), saved.encode(s));
        }
        CliRun eval = CliRun.of("eval", "--model", run.toString(), "--max-batches", "1");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("fact recall (seen wording)"), eval.out());
    }

    @Test
    void theWordTokenizerIsRefusedForText() throws Exception {
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "some free text\n");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--data", notes.toString(), "--set",
                "training.data.tokenizer=word", "--out", tmp.resolve("run").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("training.data.tokenizer") && r.err().contains("\"word\"")
                && r.err().contains("training.data.kind \"knowledge\"") && r.err().contains("\"text\""), r.err());
    }

    private Path written() throws Exception {
        Path file = tmp.resolve("fresh").resolve("tokenizer.json");
        Files.createDirectories(file.getParent());
        WordTokenizer.write(file);
        return file;
    }
}
