package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** --data with the text a user has: one .txt file, gzip, a small JSONL refused up front. */
class DataInputsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SMALL_STEPS = {"--steps", "2", "--precision", "fp32", "--set", "training.batch_size=2",
            "--set", "training.seq_len=32", "--set", "training.eval_every=0", "--set", "training.eval_batches=2"};
    @TempDir
    static Path tmp;
    static Path notes;
    static Path base;

    @BeforeAll
    static void notesAndATinyBase() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            text.append("Note ").append(i).append(": buy milk, call Ada.\n");
        }
        notes = Files.writeString(tmp.resolve("notes.txt"), text);
        base = tmp.resolve("base");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--set", "membank=null", "--steps", "1", "--out", base.toString(),
                "--precision", "fp32", "--set", "training.data.entities=4", "--set", "training.eval_every=0");
        assertEquals(0, r.exit(), r.err());
    }

    private static String[] args(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private static JsonNode split(Path config) throws Exception {
        return JSON.readTree(config.toFile()).at("/training/data/split");
    }

    @Test
    void aTextFileTrainsAndEvalAndResumeUseTheRecordedSplit() throws Exception {
        Path run = tmp.resolve("notes-run");
        CliRun r = CliRun.of(args(List.of("train", "--preset", "tiny", "--data", notes.toString(), "--out", run.toString()),
                SMALL_STEPS));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("data: " + notes + ": plain text, 1 file, 2.9 KB; validation: the last 5% of each"
                + " document's tokens"), r.err());
        JsonNode recorded = split(run.resolve("config.json"));
        assertEquals("{\"by\":\"tokens\",\"fraction\":0.05}", recorded.toString());

        CliRun eval = CliRun.of("eval", "--model", run.toString(), "--max-batches", "2");
        assertEquals(0, eval.exit(), eval.err());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        double valLoss = JSON.readTree(metrics.get(metrics.size() - 1)).get("val_loss").asDouble();
        assertTrue(eval.out().startsWith(String.format(Locale.ROOT, "loss %.4f ", valLoss)),
                "eval reads the run's own validation part: " + eval.out() + " vs " + valLoss);
        assertTrue(eval.out().contains("validation part of " + notes), eval.out());

        CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--steps", "3", "--precision", "fp32");
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals(recorded, split(run.resolve("config.json")));
    }

    @Test
    void adaptTrainsAMemoryAdapterOnATextFile() throws Exception {
        Path out = tmp.resolve("notes-adapter");
        CliRun r = CliRun.of(args(List.of("adapt", "--base", base.toString(), "--method", "memory", "--data",
                notes.toString(), "--out", out.toString(), "--set", "membank.num_tokens=32"), SMALL_STEPS));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("data: " + notes + ": plain text, 1 file"), r.err());
        assertTrue(r.out().contains("adapter written to " + out), r.out());
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
        JsonNode training = JSON.readTree(out.resolve("training.json").toFile());
        assertEquals("text", training.at("/data/kind").asText());
        assertEquals("tokens", training.at("/data/split/by").asText());
    }

    @Test
    void aGzipFileIsDetectedAndTrains() throws Exception {
        Path gz = tmp.resolve("corpus.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            for (int i = 0; i < 60; i++) {
                o.write(("{\"text\": \"Record " + i + " is about a heron by the river.\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path run = tmp.resolve("gz-run");
        CliRun r = CliRun.of(args(List.of("train", "--preset", "tiny", "--data", gz.toString(), "--out", run.toString()),
                SMALL_STEPS));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("data: " + gz + ": JSONL text (gzip), 1 file"), r.err());
        assertEquals("jsonl", JSON.readTree(run.resolve("config.json").toFile()).at("/training/data/kind").asText());
    }

    @Test
    void aSmallJsonlWithABigBatchIsRefusedBeforeAnythingRunsOrIsWritten() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            rows.append("{\"text\": \"fact ").append(i).append("\"}\n");
        }
        Path small = Files.writeString(tmp.resolve("small.jsonl"), rows);
        Path out = tmp.resolve("refused-adapter");
        long began = System.nanoTime();
        CliRun adapt = CliRun.of("adapt", "--base", base.toString(), "--method", "memory", "--data", small.toString(),
                "--out", out.toString(), "--precision", "fp32");
        double seconds = (System.nanoTime() - began) / 1e9;
        assertEquals(1, adapt.exit(), adapt.err());
        // adapt's default batch: 8 x 256 tokens.
        assertTrue(adapt.err().contains("it has 390 tokens (50 documents) and needs at least 4,098, two batches of 2,049"
                + " tokens (training.batch_size 8 x training.seq_len 256 + 1). Lower training.batch_size or"
                + " training.seq_len, or add data."), adapt.err());
        assertFalse(Files.exists(out), "nothing is written for a refused run");
        assertTrue(seconds < 10, "refused in " + seconds + " s: before any training");

        Path run = tmp.resolve("refused-run");
        CliRun train = CliRun.of("train", "--preset", "tiny", "--data", small.toString(), "--out", run.toString());
        assertEquals(1, train.exit(), train.err());
        assertTrue(train.err().contains("needs at least 1,026"), train.err());
        assertFalse(Files.exists(run), "nothing is written for a refused run");
    }
}
