package membank.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nproc N} on one machine, as torchrun does it: starts N processes of the same command,
 * each told its rank by torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
 * MASTER_PORT) with the master on 127.0.0.1 and a free port, and waits for them. When one fails,
 * the others are given the timeout to fail on their own (their collectives notice the lost peer)
 * and are then stopped, so the job never hangs; the failure names the first rank that failed.
 */
public final class RankLauncher {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private final int nproc;
    private final Duration timeout;

    public RankLauncher(int nproc, Duration timeout) {
        if (nproc < 1) {
            throw new IllegalArgumentException("--nproc " + nproc + ": must be >= 1");
        }
        this.nproc = nproc;
        this.timeout = timeout;
    }

    /** Runs {@code command} (a whole java command line) as N ranks; returns 0 when every rank finished. */
    public int run(List<String> command) {
        int port = freeLoopbackPort();
        List<Process> ranks = new CopyOnWriteArrayList<>();
        // Ctrl-C on the launcher ends its ranks too
        Thread stop = new Thread(() -> ranks.forEach(Process::destroyForcibly), "stop-ranks");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            for (int r = 0; r < nproc; r++) {
                ranks.add(start(command, r, port));
            }
            return await(ranks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RankFailure("interrupted while waiting for the ranks", e);
        } finally {
            ranks.forEach(Process::destroyForcibly);
            Runtime.getRuntime().removeShutdownHook(stop);
        }
    }

    private Process start(List<String> command, int rank, int port) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("RANK", Integer.toString(rank));
        builder.environment().put("LOCAL_RANK", Integer.toString(rank));
        builder.environment().put("WORLD_SIZE", Integer.toString(nproc));
        builder.environment().put("MASTER_ADDR", "127.0.0.1");
        builder.environment().put("MASTER_PORT", Integer.toString(port));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start rank " + rank + " (" + command.get(0) + ")", e);
        }
    }

    /** Waits for every rank; on the first failure, for the rest to end within the timeout, then stops them. */
    private int await(List<Process> ranks) throws InterruptedException {
        while (true) {
            boolean running = false;
            for (int r = 0; r < ranks.size(); r++) {
                Process p = ranks.get(r);
                if (p.isAlive()) {
                    running = true;
                } else if (p.exitValue() != 0) {
                    stopOthers(ranks, r);
                    throw new RankFailure("rank " + r + " of " + nproc + " " + exit(p.exitValue())
                            + "; the other ranks were stopped. Continue from the last checkpoint with --resume", null);
                }
            }
            if (!running) {
                return 0;
            }
            Thread.sleep(100);
        }
    }

    private void stopOthers(List<Process> ranks, int failed) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.plus(GRACE).toNanos();
        for (int r = 0; r < ranks.size(); r++) {
            if (r != failed) {
                ranks.get(r).waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ranks.get(r).destroyForcibly();
            }
        }
    }

    private static String exit(int code) {
        return code > 128 ? "was killed (exit " + code + ", signal " + (code - 128) + ")" : "failed (exit " + code + ")";
    }

    /** A port free on 127.0.0.1 now; rank 0's TCPStore binds it a moment later. */
    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}
