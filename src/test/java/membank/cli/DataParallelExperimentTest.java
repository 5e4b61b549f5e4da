package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.model.Checkpoint;

/**
 * {@code experiment run --nproc 2} against one process: every unit trains data-parallel (two
 * processes, Gloo on 127.0.0.1), rank 0 alone writes, and the results equal one process's to the
 * tolerance docs/distributed.md states. Two arms and two phases: the frozen-bank arm shares the
 * memory arm's pretraining, and the instruct phase reads rank 0's data file and pretrained model.
 * Rerun after a record is lost, the ranks resume that unit from its checkpoint together.
 */
class DataParallelExperimentTest {
    private static final String EXPERIMENT = """
            {"name": "dp",
             "base": {"preset": "tiny", "set": ["membank.num_tokens=512", "training.data.entities=4",
                      "training.eval_every=0", "training.save_every=2", "training.warmup_steps=1",
                      "training.precision=fp32", "training.grad_clip=0.5"]},
             "arms": [{"kind": "memory"}, {"kind": "frozen-bank"}],
             "phases": {"pretrain": {"steps": 3, "lr": 3e-3},
                        "instruct": {"steps": 2, "lr": 1e-3, "bank_lr": 1e-4, "entities": 4}},
             "seeds": [0],
             "eval": {"batches": 1}}
            """;
    /** Timings differ between any two runs; everything else is the training's result. */
    private static final Set<String> TIMINGS = Set.of("tokens_per_s", "wall_s");

    @TempDir
    Path tmp;

    @Test
    void twoRanksRunAnExperimentAsOneProcessDoesAndOnlyRankZeroWrites() throws IOException {
        Path file = tmp.resolve("dp.json");
        Files.writeString(file, EXPERIMENT);
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        CliRun single = CliRun.of("experiment", "run", file.toString(), "--out", one.toString());
        assertEquals(0, single.exit(), single.err());
        CliRun ranks = CliRun.of("experiment", "run", file.toString(), "--out", two.toString(), "--nproc", "2",
                "--dist-timeout", "60");
        assertEquals(0, ranks.exit(), ranks.err());

        List<JsonNode> expected = records(one);
        List<JsonNode> actual = records(two);
        assertEquals(4, expected.size(), "units of one process");
        assertEquals(expected.size(), actual.size(), "each unit's result written once");
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            JsonNode a = actual.get(i);
            String unit = e.path("arm").asText() + " " + e.path("phase").asText();
            e.fieldNames().forEachRemaining(key -> {
                if (TIMINGS.contains(key)) {
                    return;
                }
                if (e.get(key).isFloatingPointNumber()) {
                    double x = e.get(key).asDouble();
                    double y = a.path(key).asDouble(Double.NaN);
                    assertTrue(Math.abs(x - y) <= DataParallelTrainTest.LOSS_RTOL * Math.max(1, Math.abs(x)),
                            unit + " " + key + ": one process " + x + ", two ranks " + y);
                } else {
                    assertEquals(e.get(key), a.get(key), unit + " " + key);
                }
            });
        }
        DataParallelTrainTest.assertWeightsClose(one.resolve("runs/memory/seed-0/instruct").resolve(Checkpoint.WEIGHTS),
                two.resolve("runs/memory/seed-0/instruct").resolve(Checkpoint.WEIGHTS));
        JsonNode info = new ObjectMapper().readTree(two.resolve("run.json").toFile());
        assertEquals(2, info.path("ranks").asInt(), info.toString());
        assertTrue(Files.readString(two.resolve("report.md")).contains("2 data-parallel ranks"));

        // a lost record: the same command resumes that unit from its final checkpoint on both ranks
        Path results = two.resolve("results.jsonl");
        List<String> lines = Files.readAllLines(results);
        Files.write(results, lines.subList(0, lines.size() - 1));
        CliRun again = CliRun.of("experiment", "run", file.toString(), "--out", two.toString(), "--nproc", "2",
                "--dist-timeout", "60");
        assertEquals(0, again.exit(), again.err());
        List<JsonNode> remeasured = records(two);
        assertEquals(actual.size(), remeasured.size());
        JsonNode before = actual.get(actual.size() - 1);
        JsonNode after = remeasured.get(remeasured.size() - 1);
        assertEquals(before.get("arm"), after.get("arm"));
        assertEquals(before.get("val_loss").asDouble(), after.get("val_loss").asDouble(), "the same weights measured again");
    }

    private static List<JsonNode> records(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(dir.resolve("results.jsonl")).stream().filter(l -> !l.isBlank()).map(l -> {
            try {
                return json.readTree(l);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
