package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.model.Checkpoint;
import membank.model.SafeTensors;
import membank.testing.ChildJvm;
import membank.testing.SameTensors;

/**
 * A data-parallel job never hangs: a rank killed mid-run ends the other within the timeout with a
 * message naming it, a peer that never arrives ends the rank waiting for it, and resuming the
 * killed job gives the weights of a job that was never interrupted. Ranks meet on 127.0.0.1 only.
 */
class DataParallelFailureTest {
    private static final int STEPS = 40;
    private static final int TIMEOUT_S = 20;
    private static final long SEED = 20261204L;

    @TempDir
    Path tmp;

    private static List<String> trainArgs(Path out) {
        return new ArrayList<>(List.of("train", "--preset", "tiny", "--precision", "fp32", "--steps", Integer.toString(STEPS),
                "--save-every", "2", "--set", "training.eval_every=0", "--set", "training.data.entities=4",
                "--set", "training.log_every=1", "--dist-timeout", Integer.toString(TIMEOUT_S), "--out", out.toString()));
    }

    @Test
    void aKilledRankEndsTheOtherWithinTheTimeoutAndTheResumedJobEqualsAnUninterruptedOne() throws Exception {
        Path crashed = tmp.resolve("crashed");
        int port = freePort();
        int killAfter = 4 + 2 * new Random(SEED).nextInt(8);
        try (ChildJvm rank0 = rank(0, port, crashed); ChildJvm rank1 = rank(1, port, crashed)) {
            int reached = rank0.awaitCheckpoint(crashed, killAfter, Duration.ofSeconds(120));
            assertTrue(reached < STEPS, "the job finished before a rank could be killed");
            rank1.process().destroyForcibly().waitFor();
            long killed = System.nanoTime();
            assertTrue(rank0.process().waitFor(TIMEOUT_S + 15, TimeUnit.SECONDS),
                    "rank 0 still runs " + (TIMEOUT_S + 15) + " s after its peer was killed; its output:\n" + rank0.output());
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertEquals(1, rank0.process().exitValue(), rank0.output());
            String out = rank0.output();
            assertTrue(out.contains("rank 0 of 2:") && out.contains("--resume"), "the survivor names itself and what to do:\n" + out);
            assertTrue(seconds < TIMEOUT_S + 15, "ended after " + seconds + " s");
        }
        assertFalse(Files.exists(crashed.resolve(Checkpoint.WEIGHTS)), "the killed job never reached its end");

        CliRun resumed = CliRun.of("train", "--resume", crashed.toString(), "--precision", "fp32", "--nproc", "2",
                "--dist-timeout", Integer.toString(TIMEOUT_S));
        assertEquals(0, resumed.exit(), resumed.err());
        Path whole = tmp.resolve("whole");
        List<String> uninterrupted = trainArgs(whole);
        uninterrupted.addAll(List.of("--nproc", "2"));
        CliRun run = CliRun.of(uninterrupted.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());

        Map<String, Tensor> expected = SafeTensors.read(whole.resolve(Checkpoint.WEIGHTS));
        Map<String, Tensor> actual = SafeTensors.read(crashed.resolve(Checkpoint.WEIGHTS));
        SameTensors.assertSame(expected, actual, "after the kill and resume");
        assertEquals(losses(whole), losses(crashed), "the loss of every step");
    }

    private static Map<Integer, Double> losses(Path run) throws IOException {
        Map<Integer, Double> out = new TreeMap<>();
        DataParallelTrainTest.steps(run).forEach((step, record) -> out.put(step, record.get("loss").asDouble()));
        assertEquals(STEPS, out.size());
        return out;
    }

    @Test
    void aRankThatHangsEndsTheOtherWithinTheTimeout() throws Exception {
        Path run = tmp.resolve("hung");
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--threads", "1"));
        args.addAll(trainArgs(run));
        args.set(args.indexOf("--dist-timeout") + 1, "5");
        args.set(args.indexOf("--steps") + 1, "100000");
        try (ChildJvm rank0 = ChildJvm.start(Main.class, rankEnv(0, port), args.toArray(String[]::new));
             ChildJvm rank1 = ChildJvm.start(Main.class, rankEnv(1, port), args.toArray(String[]::new))) {
            rank0.awaitCheckpoint(run, 2, Duration.ofSeconds(120));
            // SIGSTOP: the peer stays connected but never answers again
            new ProcessBuilder("kill", "-STOP", Long.toString(rank1.pid())).start().waitFor();
            assertTrue(rank0.process().waitFor(5 + 30, TimeUnit.SECONDS),
                    "rank 0 still runs 35 s after its peer stopped; its output:\n" + rank0.output());
            assertEquals(1, rank0.process().exitValue(), rank0.output());
            assertTrue(rank0.output().contains("rank 0 of 2:") && rank0.output().contains("did not answer within --dist-timeout 5 s"),
                    rank0.output());
        }
    }

    @Test
    void aPeerThatNeverArrivesEndsTheWaitingRankWithinTheTimeout() {
        long began = System.nanoTime();
        CliRun alone = CliRun.of("train", "--preset", "tiny", "--steps", "1", "--out", tmp.resolve("alone").toString(),
                "--rank", "0", "--world-size", "2", "--master", "127.0.0.1:" + freePort(), "--dist-timeout", "3");
        double seconds = (System.nanoTime() - began) / 1e9;
        assertEquals(1, alone.exit(), alone.err());
        assertTrue(alone.err().contains("rank 0 of 2: the ranks did not all meet"), alone.err());
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    private static ChildJvm rank(int rank, int port, Path out) {
        List<String> args = new ArrayList<>(List.of("--threads", "1"));
        args.addAll(trainArgs(out));
        return ChildJvm.start(Main.class, rankEnv(rank, port), args.toArray(String[]::new));
    }

    /** torchrun's variables for rank {@code rank} of 2 meeting on 127.0.0.1:{@code port}. */
    private static Map<String, String> rankEnv(int rank, int port) {
        return Map.of("RANK", Integer.toString(rank), "WORLD_SIZE", "2", "LOCAL_RANK", Integer.toString(rank),
                "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
