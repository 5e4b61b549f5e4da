package membank.cli;

import java.util.Optional;
import java.util.function.Supplier;

import org.bytedeco.pytorch.Device;

import membank.dist.RankDataParallel;
import membank.dist.RankGroup;
import membank.dist.Rendezvous;
import membank.train.DataParallel;
import membank.util.DirectoryLock;

/**
 * This process's part in a training command: alone, or one rank of a data-parallel job whose
 * process group it holds until closed. Only the writing rank takes the run directory's lock.
 */
final class JobRank implements AutoCloseable {
    private final RankGroup group;
    private final DataParallel parallel;

    private JobRank(RankGroup group, DataParallel parallel) {
        this.group = group;
        this.parallel = parallel;
    }

    /** Meets the other ranks (when there are any) before anything is read or written; trains on {@code device}. */
    static JobRank join(Optional<Rendezvous> where, Device device) {
        if (where.isEmpty()) {
            return new JobRank(null, DataParallel.single(device));
        }
        RankGroup group = RankGroup.join(where.get(), device.is_cuda());
        return new JobRank(group, new RankDataParallel(group, device));
    }

    DataParallel parallel() {
        return parallel;
    }

    boolean writes() {
        return parallel.writes();
    }

    /** The directory's lock on the writing rank; null (nothing to close) on the others. */
    DirectoryLock lock(Supplier<DirectoryLock> take) {
        return writes() ? take.get() : null;
    }

    /** Runs {@code work}; a failure of the job's collectives ends it with a message naming this rank. */
    <T> T run(Supplier<T> work) {
        if (group == null) {
            return work.get();
        }
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw group.explain(e);
        }
    }

    @Override
    public void close() {
        if (group != null) {
            group.close();
        }
    }
}
