package membank.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import membank.dist.RankLauncher;
import membank.dist.Rendezvous;

/**
 * The data-parallel flags of train, adapt and experiment run: {@code --nproc N} starts N ranks on
 * this machine; {@code --rank R --world-size N --master HOST:PORT} (or torchrun's RANK,
 * WORLD_SIZE, MASTER_ADDR and MASTER_PORT) makes this process one rank of a job spread over
 * machines. Flags win over the variables.
 */
final class DistributedOptions {
    static final String NPROC = "--nproc";

    @Option(names = NPROC, paramLabel = "N",
            description = "Train data-parallel on N processes of this machine (Gloo on 127.0.0.1); each rank trains on"
                    + " batch_size / N rows of every batch, and the result equals one process's to float tolerance.")
    Integer nproc;

    @Option(names = "--rank", paramLabel = "R", description = "This process's rank in a multi-machine job (or RANK).")
    Integer rank;

    @Option(names = "--world-size", paramLabel = "N", description = "Number of ranks in the job (or WORLD_SIZE).")
    Integer worldSize;

    @Option(names = "--master", paramLabel = "HOST:PORT",
            description = "Where rank 0 serves the rendezvous (or MASTER_ADDR and MASTER_PORT); every rank gives the same.")
    String master;

    @Option(names = "--dist-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long a rank waits for a peer (to arrive, or in any all-reduce) before the job ends with"
                    + " an error naming it (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Whether this invocation starts the ranks rather than being one. */
    boolean launches() {
        if (nproc == null) {
            return false;
        }
        if (rank != null || worldSize != null || master != null) {
            throw new IllegalArgumentException("--nproc starts every rank on this machine; it cannot be given with"
                    + " --rank, --world-size or --master, which make this process one rank of a job started elsewhere");
        }
        return nproc > 1;
    }

    /** Runs this same command line as {@code --nproc} ranks; returns the exit code. */
    int launch(CommandSpec spec) {
        List<String> args = withoutNproc(spec.root().commandLine().getParseResult().originalArgs());
        if (args.stream().noneMatch(a -> a.equals("--threads") || a.startsWith("--threads="))
                && System.getenv("OMP_NUM_THREADS") == null) {
            // the ranks share this machine's cores
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / nproc);
            args.addAll(0, List.of("--threads", Integer.toString(threads)));
        }
        System.err.printf("membank: starting %d ranks on 127.0.0.1%n", nproc);
        return new RankLauncher(nproc, timeout()).run(ChildMembank.command(args));
    }

    private static List<String> withoutNproc(List<String> original) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals(NPROC)) {
                i++;
            } else if (!a.startsWith(NPROC + "=")) {
                out.add(a);
            }
        }
        return out;
    }

    /** This process's place in a job, or empty when it trains alone. */
    Optional<Rendezvous> rendezvous() {
        return rendezvous(System.getenv());
    }

    Optional<Rendezvous> rendezvous(Map<String, String> env) {
        Integer size = worldSize != null ? worldSize : number(env, "WORLD_SIZE");
        if (size == null || size == 1 && rank == null) {
            return Optional.empty();
        }
        Integer r = rank != null ? rank : number(env, "RANK");
        if (r == null) {
            throw new IllegalArgumentException("a world size of " + size + " was given but no rank: give --rank R (0.."
                    + (size - 1) + ") or set RANK");
        }
        String host = master != null ? hostOf(master) : env.get("MASTER_ADDR");
        Integer port = master != null ? Integer.valueOf(portOf(master)) : number(env, "MASTER_PORT");
        if (host == null || port == null) {
            throw new IllegalArgumentException("rank " + r + " of " + size + " needs the master's address: give --master"
                    + " HOST:PORT (the same on every rank) or set MASTER_ADDR and MASTER_PORT");
        }
        return Optional.of(new Rendezvous(host, port, r, size, timeout()));
    }

    /** This rank's index on its machine (LOCAL_RANK, as torchrun and --nproc set it), 0 when alone. */
    int localRank() {
        Integer local = number(System.getenv(), "LOCAL_RANK");
        return local == null ? 0 : local;
    }

    Duration timeout() {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--dist-timeout " + timeoutSeconds + ": must be >= 1 second");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    private static Integer number(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a whole number; unset it or fix it");
        }
    }

    private static String hostOf(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--master " + hostPort + ": expected HOST:PORT, e.g. 10.0.0.1:29500");
        }
        return hostPort.substring(0, colon);
    }

    private static int portOf(String hostPort) {
        try {
            return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--master " + hostPort + ": the port is not a number; expected HOST:PORT");
        }
    }
}
