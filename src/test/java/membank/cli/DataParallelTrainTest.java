package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.model.Checkpoint;
import membank.model.SafeTensors;

/**
 * {@code train --nproc 2} (two processes, Gloo on 127.0.0.1, DDP's Reducer) against one process on
 * the same global batch, seed and data order: the same loss at every step and the same weights,
 * to the tolerance docs/distributed.md states. fp32 throughout; the two differ only in the order
 * floating-point sums are taken (per rank, then over ranks).
 */
class DataParallelTrainTest {
    /** Relative tolerance on each step's loss and gradient norm. */
    static final double LOSS_RTOL = 1e-5;
    /** Absolute tolerance on every weight after the run (weights are O(0.1), the learning rate 3e-3). */
    static final double WEIGHT_ATOL = 1e-5;
    static final String ROUTED = "membank.chapters={\"count\":8,\"top_k\":2,\"routing\":\"sequence\"}";

    @TempDir
    Path tmp;

    static List<String> trainArgs(Path out, int steps, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--preset", "tiny", "--precision", "fp32", "--steps",
                Integer.toString(steps), "--set", "training.eval_every=0", "--set", "training.data.entities=4",
                "--set", "training.log_every=1", "--set", "training.grad_accum=2", "--set", "training.grad_clip=0.5",
                "--out", out.toString()));
        for (String m : more) {
            args.addAll(List.of("--set", m));
        }
        return args;
    }

    @Test
    void twoRanksTrainADenseMemoryModelAsOneProcessDoes() throws IOException {
        assertSameTraining("dense", true);
    }

    @Test
    void twoRanksTrainARoutedModelWithRouterLossesAndRowSparseBankAsOneProcessDoes() throws IOException {
        assertSameTraining("routed", true, ROUTED, "membank.router_losses={\"load_balance\":0.05,\"z\":0.001}",
                "training.bank_update=rows_read");
    }

    @Test
    void nonFiniteStepsAreSkippedOnEveryRankTogether() throws IOException {
        // lr 1e6 blows the weights up at step 1 (Adam moves each by about lr, and float noise in tiny
        // gradients flips the sign of some moves): compare the steps, not the weights
        Map<Integer, JsonNode> records = assertSameTraining("nonfinite", false, "training.lr=1e6", "training.warmup_steps=0",
                "training.max_nonfinite=10");
        assertTrue(records.values().stream().anyMatch(r -> r.path("skipped").asBoolean()), "some step was skipped: " + records);
    }

    @Test
    void twoRanksAdaptAPretrainedBaseAsOneProcessDoes() throws IOException {
        Path base = tmp.resolve("base");
        CliRun trained = CliRun.of("train", "--preset", "tiny", "--set", "membank=null", "--steps", "2", "--out", base.toString(),
                "--precision", "fp32", "--set", "training.data.entities=4", "--set", "training.eval_every=0");
        assertEquals(0, trained.exit(), trained.err());
        List<String> adapt = List.of("adapt", "--base", base.toString(), "--method", "memory", "--steps", "3", "--precision",
                "fp32", "--set", "training.data.entities=4", "--set", "training.batch_size=4", "--set", "training.seq_len=32",
                "--set", "training.log_every=1", "--set", "membank.num_tokens=64", "--set", ROUTED);
        Path one = tmp.resolve("adapt-1");
        Path two = tmp.resolve("adapt-2");
        List<String> single = new ArrayList<>(adapt);
        single.addAll(List.of("--out", one.toString()));
        List<String> parallel = new ArrayList<>(adapt);
        parallel.addAll(List.of("--out", two.toString(), "--nproc", "2", "--dist-timeout", "60"));
        CliRun a = CliRun.of(single.toArray(String[]::new));
        assertEquals(0, a.exit(), a.err());
        CliRun b = CliRun.of(parallel.toArray(String[]::new));
        assertEquals(0, b.exit(), b.err());
        Map<Integer, JsonNode> expected = steps(one);
        Map<Integer, JsonNode> actual = steps(two);
        expected.forEach((step, e) -> assertClose(e.get("loss").asDouble(), actual.get(step).get("loss").asDouble(),
                "loss at step " + step));
        assertWeightsClose(one.resolve("adapter_model.safetensors"), two.resolve("adapter_model.safetensors"));
    }

    /** Runs one process and two ranks on the same config; returns the two-rank run's step records. */
    private Map<Integer, JsonNode> assertSameTraining(String name, boolean weights, String... overrides) throws IOException {
        Path one = tmp.resolve(name + "-1");
        Path two = tmp.resolve(name + "-2");
        CliRun single = CliRun.of(trainArgs(one, 4, overrides).toArray(String[]::new));
        assertEquals(0, single.exit(), single.err());
        List<String> parallel = new ArrayList<>(trainArgs(two, 4, overrides));
        parallel.addAll(List.of("--nproc", "2", "--dist-timeout", "60"));
        CliRun ranks = CliRun.of(parallel.toArray(String[]::new));
        assertEquals(0, ranks.exit(), ranks.err());

        Map<Integer, JsonNode> expected = steps(one);
        Map<Integer, JsonNode> actual = steps(two);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((step, e) -> {
            JsonNode a = actual.get(step);
            assertEquals(e.path("skipped").asBoolean(), a.path("skipped").asBoolean(), "skipped at step " + step);
            assertClose(e.get("loss").asDouble(), a.get("loss").asDouble(), "loss at step " + step);
            assertClose(e.get("grad_norm").asDouble(), a.get("grad_norm").asDouble(), "grad_norm at step " + step);
            assertEquals(e.get("tokens").asLong(), a.get("tokens").asLong(), "tokens at step " + step);
        });
        if (weights) {
            assertWeightsClose(one.resolve(Checkpoint.WEIGHTS), two.resolve(Checkpoint.WEIGHTS));
        }
        return actual;
    }

    static void assertWeightsClose(Path expectedFile, Path actualFile) {
        Map<String, Tensor> expected = SafeTensors.read(expectedFile);
        Map<String, Tensor> actual = SafeTensors.read(actualFile);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, t) -> {
            double diff = t.sub(actual.get(name)).abs().max().item_double();
            assertTrue(diff <= WEIGHT_ATOL, name + " differs by " + diff + " (tolerance " + WEIGHT_ATOL + ")");
        });
    }

    private static void assertClose(double expected, double actual, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
            return;
        }
        assertTrue(Math.abs(expected - actual) <= LOSS_RTOL * Math.max(1, Math.abs(expected)),
                what + ": one process " + expected + ", two ranks " + actual);
    }

    /** The per-step records of metrics.jsonl (evaluation records left out). */
    static Map<Integer, JsonNode> steps(Path run) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<Integer, JsonNode> out = new TreeMap<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode record = json.readTree(line);
            if (record.has("loss")) {
                out.put(record.get("step").asInt(), record);
            }
        }
        assertFalse(out.isEmpty(), run + " logged no step");
        return out;
    }
}
