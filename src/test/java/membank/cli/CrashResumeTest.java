package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.model.Checkpoint;
import membank.model.SafeTensors;
import membank.testing.ChildJvm;
import membank.testing.SameTensors;

/**
 * A training run killed with SIGKILL at a random step (seeded) and resumed ends with the same
 * weights, bit for bit, and the same losses as a run that was never interrupted; the killed
 * process's lock on the directory does not block the resume.
 */
class CrashResumeTest {
    private static final int STEPS = 200;
    private static final long SEED = 20261204L;

    @TempDir
    Path tmp;

    private static List<String> trainArgs(Path out) {
        return List.of("train", "--preset", "tiny", "--precision", "fp32", "--steps", Integer.toString(STEPS), "--save-every", "2",
                "--set", "training.eval_every=0", "--set", "training.data.entities=4", "--set", "training.log_every=1",
                "--out", out.toString());
    }

    @Test
    void aRunKilledAtARandomStepResumesToTheWeightsOfAnUninterruptedRun() throws Exception {
        int killAfter = 20 + new Random(SEED).nextInt(100);
        Path crashed = tmp.resolve("crashed");
        List<String> childArgs = new ArrayList<>(List.of("--threads", Integer.toString(torch.get_num_threads())));
        childArgs.addAll(trainArgs(crashed));
        try (ChildJvm child = ChildJvm.start(Main.class, Map.of(), childArgs.toArray(String[]::new))) {
            int reached = child.awaitCheckpoint(crashed, killAfter, Duration.ofSeconds(60));
            assertTrue(child.process().isAlive(), "the child finished before it could be killed; its output:\n" + child.output());
            child.process().destroyForcibly().waitFor();
            assertTrue(reached < STEPS, "killed after checkpoint " + reached);
        }
        assertFalse(Files.exists(crashed.resolve(Checkpoint.WEIGHTS)), "the killed run never reached its end");

        CliRun resumed = CliRun.of("train", "--resume", crashed.toString(), "--precision", "fp32");
        assertEquals(0, resumed.exit(), resumed.err());
        Path whole = tmp.resolve("whole");
        CliRun uninterrupted = CliRun.of(trainArgs(whole).toArray(String[]::new));
        assertEquals(0, uninterrupted.exit(), uninterrupted.err());

        Map<String, Tensor> expected = SafeTensors.read(whole.resolve(Checkpoint.WEIGHTS));
        Map<String, Tensor> actual = SafeTensors.read(crashed.resolve(Checkpoint.WEIGHTS));
        SameTensors.assertSame(expected, actual, "after the crash and resume");
        assertEquals(losses(whole), losses(crashed), "the losses of every step");
    }


    private static Map<Integer, Double> losses(Path run) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<Integer, Double> losses = new TreeMap<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode record = json.readTree(line);
            if (record.has("loss")) {
                losses.put(record.get("step").asInt(), record.get("loss").asDouble());
            }
        }
        assertEquals(STEPS, losses.size());
        return losses;
    }
}
