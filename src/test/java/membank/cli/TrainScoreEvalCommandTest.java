package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** train, score and eval end to end through the command line, on the tiny preset. */
class TrainScoreEvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainTinyModel() {
        run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--steps", "3", "--out", run.toString(), "--precision", "fp32",
                "--set", "training.data.entities=4", "--set", "training.eval_every=0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| run |"), r.out());
    }

    @Test
    void trainWritesAModelDirectory() {
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl"}) {
            assertTrue(Files.isRegularFile(run.resolve(file)), file);
        }
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-0000003")));
    }

    @Test
    void dryRunPrintsTheResolvedConfig() throws Exception {
        CliRun r = CliRun.of("train", "--preset", "small", "--set", "membank.variant=B", "--steps", "7", "--dry-run");
        assertEquals(0, r.exit(), r.err());
        JsonNode config = JSON.readTree(r.out());
        assertEquals("B", config.at("/membank/variant").asText());
        assertEquals("[1,3]", config.at("/membank/layers").toString());
        assertEquals(7, config.at("/training/steps").asInt());
    }

    @Test
    void badConfigurationsExitWithTheKeyNamed() {
        CliRun unknown = CliRun.of("train", "--preset", "tiny", "--set", "membank.colour=red", "--dry-run");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("membank.colour"), unknown.err());
        CliRun range = CliRun.of("train", "--preset", "tiny", "--set", "membank.layers=[0,5]", "--dry-run");
        assertEquals(1, range.exit());
        assertTrue(range.err().contains("membank.layers[1]") && range.err().contains("5"), range.err());
        CliRun preset = CliRun.of("train", "--preset", "huge", "--dry-run");
        assertEquals(1, preset.exit());
        assertTrue(preset.err().contains("tiny"), preset.err());
        CliRun resume = CliRun.of("train", "--resume", tmp.resolve("nothing").toString());
        assertEquals(1, resume.exit());
        assertTrue(resume.err().contains("nothing"), resume.err());
    }

    @Test
    void scoreJsonReproducesTheGoldenLogprobs() throws Exception {
        Path golden = Path.of(getClass().getResource("/golden/memory-B-per-layer").toURI());
        JsonNode expected = JSON.readTree(golden.resolve("expected.json").toFile());
        String ids = StreamSupport.stream(expected.get("tokens").spliterator(), false).map(JsonNode::asText)
                .collect(Collectors.joining(","));
        CliRun r = CliRun.of("score", "--model", golden.toString(), "--ids", ids, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode got = JSON.readTree(r.out());
        assertEquals(expected.get("tokens"), got.get("tokens"));
        for (int i = 0; i < expected.get("logprobs").size(); i++) {
            assertEquals(expected.get("logprobs").get(i).asDouble(), got.get("logprobs").get(i).asDouble(), 1e-4);
        }
    }

    @Test
    void scoreTextUsesTheModelsTokenizer() throws Exception {
        CliRun r = CliRun.of("score", "--model", run.toString(), "--text", "héllo", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode got = JSON.readTree(r.out());
        byte[] bytes = "héllo".getBytes(StandardCharsets.UTF_8);
        assertEquals(bytes.length, got.get("tokens").size());
        assertEquals(bytes.length - 1, got.get("logprobs").size());
        assertEquals(bytes[1] & 0xff, got.get("tokens").get(1).asInt());
    }

    @Test
    void evalReportsLossAndRecall() {
        CliRun r = CliRun.of("eval", "--model", run.toString(), "--max-batches", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("perplexity"), r.out());
        assertTrue(r.out().contains("fact recall (seen wording)"), r.out());
        assertTrue(r.out().contains("fact recall (heldout wording)"), r.out());
    }

}
