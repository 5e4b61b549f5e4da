package membank.dist;

import java.util.List;

import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.gloo.Device;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

import membank.nn.Ops;

/**
 * PyTorch's own c10d runtime: a TCPStore served by rank 0 for the rendezvous, ProcessGroupGloo
 * for CPU tensors, ProcessGroupNCCL for CUDA tensors when the job trains on GPUs, and the
 * ProcessGroup (which sends each collective to the backend of its tensors' device) that DDP's
 * Reducer asks for. Every call blocks at most the rendezvous timeout; a failure names this rank.
 */
public final class RankGroup implements AutoCloseable {
    private final Rendezvous where;
    private final TCPStore store;
    private final ProcessGroup group;

    private RankGroup(Rendezvous where, TCPStore store, ProcessGroup group) {
        this.where = where;
        this.store = store;
        this.group = group;
    }

    /**
     * Meets the other ranks; fails after the timeout. With {@code cuda} the CUDA tensors' collectives
     * go through NCCL (never run here: no GPU; see docs/distributed.md).
     */
    public static RankGroup join(Rendezvous where, boolean cuda) {
        TCPStore store = meet(where);
        ProcessGroupGloo gloo = connect(where, store);
        // the ProcessGroup(store, rank, size) constructor aborts the JVM in this build (an intrusive_ptr
        // refcount assertion); the one without a store is what Python's init_process_group builds too
        ProcessGroup group = new ProcessGroup(where.rank(), where.worldSize());
        group.setBackend(torch.DeviceType.CPU, ProcessGroup.BackendType.GLOO, new BackendOptional(gloo));
        group.setDefaultBackend(ProcessGroup.BackendType.GLOO);
        if (cuda) {
            ProcessGroupNCCL nccl = new ProcessGroupNCCL(new PrefixStore("nccl", store), where.rank(), where.worldSize());
            group.setBackend(torch.DeviceType.CUDA, ProcessGroup.BackendType.NCCL, new BackendOptional(nccl));
            group.setDefaultBackend(ProcessGroup.BackendType.NCCL);
        }
        return new RankGroup(where, store, group);
    }

    private static TCPStore meet(Rendezvous where) {
        TCPStoreOptions options = new TCPStoreOptions();
        options.port((short) where.port());
        options.isServer(where.rank() == 0);
        options.numWorkers(new SizeTPointer(1).put(where.worldSize()));
        options.waitWorkers(true);
        options.timeout(millis(where));
        try {
            return new TCPStore(where.host(), options);
        } catch (RuntimeException e) {
            throw new RankFailure(where.who() + ": the ranks did not all meet at " + where.host() + ":" + where.port()
                    + " within " + where.timeout().toSeconds() + " s (" + headline(e) + "); start every rank with the same"
                    + " --master and --world-size, or raise --dist-timeout", e);
        }
    }

    private static ProcessGroupGloo connect(Rendezvous where, TCPStore store) {
        ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(millis(where));
        options.devices(new GlooDeviceVector(device(where)));
        try {
            return new ProcessGroupGloo(store, where.rank(), where.worldSize(), options);
        } catch (RuntimeException e) {
            throw new RankFailure(where.who() + ": Gloo could not connect to every peer within "
                    + where.timeout().toSeconds() + " s (" + headline(e) + ")", e);
        }
    }

    /** On loopback Gloo binds 127.0.0.1; across machines the interface GLOO_SOCKET_IFNAME names, else the hostname's. */
    private static Device device(Rendezvous where) {
        if (where.loopback()) {
            return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
        }
        String iface = System.getenv("GLOO_SOCKET_IFNAME");
        return iface != null && !iface.isBlank() ? ProcessGroupGloo.createDeviceForInterface(iface)
                : ProcessGroupGloo.createDefaultDevice();
    }

    private static Milliseconds millis(Rendezvous where) {
        return new Milliseconds(where.timeout().toMillis());
    }

    public Rendezvous rendezvous() {
        return where;
    }

    ProcessGroup processGroup() {
        return group;
    }

    /** {@code tensors} replaced, in place, by their sum over ranks divided by the world size. */
    public void averageInPlace(List<Tensor> tensors) {
        // AllreduceOptions' reduceOp is SUM by default
        try (TensorVector vector = new TensorVector(tensors.toArray(Tensor[]::new)); Scalar size = Ops.scalar(where.worldSize())) {
            await("all-reduce", () -> group.allreduce(vector, new AllreduceOptions())._wait());
            for (Tensor t : tensors) {
                t.div_(size);
            }
        }
    }

    /** {@code tensors} replaced, in place, by rank 0's values. */
    public void broadcastFromRank0(List<Tensor> tensors) {
        BroadcastOptions options = new BroadcastOptions();
        options.rootRank(0);
        for (Tensor t : tensors) {
            await("broadcast", () -> group.broadcast(new TensorVector(t), options)._wait());
        }
    }

    /** Waits until every rank gets here. */
    public void barrier() {
        await("barrier", () -> group.barrier()._wait());
    }

    private void await(String what, Runnable collective) {
        try {
            collective.run();
        } catch (RuntimeException e) {
            throw lost(what, e);
        }
    }

    /** The failure of a collective as this rank tells it: which rank, doing what, and what to do. */
    RankFailure lost(String what, RuntimeException e) {
        return new RankFailure(where.who() + ": " + what + " failed: " + headline(e) + ". " + peer() + " died or did not"
                + " answer within --dist-timeout " + where.timeout().toSeconds() + " s; fix it and continue with --resume", e);
    }

    /**
     * {@code e} as this rank tells it when it is a failure of the job's collectives (Gloo and c10d
     * say so in their messages; a lost peer shows as a closed connection or a timeout), else {@code e}.
     */
    public RuntimeException explain(RuntimeException e) {
        if (e instanceof RankFailure || !isCollective(e)) {
            return e;
        }
        return new RankFailure(where.who() + ": " + headline(e) + ". " + peer() + " died or did not answer within"
                + " --dist-timeout " + where.timeout().toSeconds() + " s; continue from the last checkpoint with --resume", e);
    }

    private static boolean isCollective(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            // a peer that hangs shows as Gloo's "Application timeout caused pair closure"
            if (m.contains("gloo") || m.contains("c10d") || m.contains("connection closed") || m.contains("connection reset")
                    || m.contains("timed out") || m.contains("timeout caused pair closure")) {
                return true;
            }
        }
        return false;
    }

    /** Who the lost peer is, as far as this rank can tell: the other rank of two, else some rank. */
    private String peer() {
        return where.worldSize() == 2 ? "The other rank (rank " + (1 - where.rank()) + ")" : "A peer rank";
    }

    /** The first line of a c10d message, without its native frames. */
    public static String headline(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int cut = message.indexOf("\nException raised from");
        String first = cut < 0 ? message : message.substring(0, cut);
        int frame = first.indexOf("\nframe #");
        // Gloo prefixes the path of its source file: "[/.../gloo/transport/tcp/pair.cc:538] Read error ..."
        return (frame < 0 ? first : first.substring(0, frame)).strip().replaceFirst("^\\[[^\\]]*\\.(cc|cpp|h):\\d+\\] ", "");
    }

    @Override
    public void close() {
        group.shutdown();
        store.close();
    }
}
