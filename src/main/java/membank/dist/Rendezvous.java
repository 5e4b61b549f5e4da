package membank.dist;

import java.time.Duration;

/**
 * Where the ranks of one job meet and who this process is among them, as torchrun's variables say
 * it: the master's host and port (rank 0 serves PyTorch's TCPStore there), this rank, the number
 * of ranks, and how long any rank waits for the others before the job ends with an error.
 */
public record Rendezvous(String host, int port, int rank, int worldSize, Duration timeout) {

    public Rendezvous {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the master address is empty: give --master HOST:PORT or set MASTER_ADDR");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("master port " + port + " is out of range: give a port in 1..65535"
                    + " (--master HOST:PORT or MASTER_PORT)");
        }
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size " + worldSize + ": must be >= 1 (--world-size or WORLD_SIZE)");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is outside 0.." + (worldSize - 1)
                    + " for a world size of " + worldSize + " (--rank or RANK)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the distributed timeout must be positive (--dist-timeout SECONDS)");
        }
    }

    /** "rank R of N", as messages name this process. */
    public String who() {
        return "rank " + rank + " of " + worldSize;
    }

    /** Whether the ranks meet on this machine's loopback, where Gloo must bind to 127.0.0.1 too. */
    boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
