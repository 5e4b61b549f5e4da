package membank.train;

import static org.bytedeco.pytorch.global.torch.bincount;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

import me.tongfei.progressbar.ProgressBar;

import membank.config.AccessUnit;
import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.data.TokenBatch;
import membank.data.TokenBatches;
import membank.memory.Routing;
import membank.memory.RoutingTrace;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.nn.Ops;
import membank.nn.Precision;
import membank.util.Progress;
import membank.nn.Scope;

/**
 * Counts which units of a model's banks a stream of batches reads (sparse memory finetuning). A
 * position of a dense layer reads, per query head, the {@code denseTopK} rows of highest attention
 * weight; a position of a routed layer reads the shared chapters and the k chapters its router
 * chose (with sequence routing, every position reads its sequence's choice), and so every row of
 * them. Reads of several layers sharing a bank add up.
 */
final class AccessCounter {
    private final MemoryLM model;
    private final AccessUnit unit;
    private final int denseTopK;
    private final Precision precision;

    AccessCounter(MemoryLM model, AccessUnit unit, int denseTopK, Precision precision) {
        this.model = model;
        this.unit = unit;
        this.denseTopK = denseTopK;
        this.precision = precision;
    }

    /** Units per bank of memory {@code m}: rows, or chapters. */
    static int units(AccessUnit unit, MemoryConfig m) {
        return unit == AccessUnit.CHAPTERS ? m.chapters().count() : m.numTokens();
    }

    /** The reads of {@code count} batches from {@code batches}. */
    AccessCounts count(TokenBatches batches, int count, String task, boolean progress) {
        AccessCounts counts = new AccessCounts(model.numBanks(), units(unit, model.config().membank()));
        boolean wasTraining = model.is_training();
        model.train(false);
        try (ProgressBar bar = Progress.bar(task, count, progress)) {
            for (int i = 0; i < count; i++) {
                TokenBatch batch = batches.next();
                counts.addBatch(perSequence(batch), batch.size());
                bar.step();
            }
        } finally {
            model.train(wasTraining);
        }
        return counts;
    }

    /** Per bank, the accesses of each sequence of {@code batch} to each unit, [B x units] row-major. */
    long[][] perSequence(TokenBatch batch) {
        MemoryConfig m = model.config().membank();
        long[][] out = new long[model.numBanks()][];
        try (Scope scope = Scope.inference()) {
            RoutingTrace trace = RoutingTrace.withDenseReads(denseTopK);
            try (var autocast = precision.autocast(model.device())) {
                model.hidden(Ops.longs(batch.inputs()), ForwardPass.PLAIN.withTrace(trace));
            }
            Tensor[] byBank = new Tensor[out.length];
            trace.denseReads().forEach(d -> add(byBank, m.bankIndex(d.layer()), denseCounts(d.rows(), m.numTokens())));
            trace.layers().forEach(r -> add(byBank, m.bankIndex(r.layer()), routedCounts(r.routing(), m, batch.length())));
            for (int b = 0; b < out.length; b++) {
                out[b] = byBank[b] == null ? null : Ops.toLongs(byBank[b].contiguous());
            }
        }
        return out;
    }

    private static void add(Tensor[] byBank, int bank, Tensor counts) {
        byBank[bank] = byBank[bank] == null ? counts : byBank[bank].add(counts);
    }

    /** Rows read [B, L, Hq, k] -> accesses per sequence and row [B, N]. */
    private static Tensor denseCounts(Tensor rows, long tokens) {
        long batch = rows.size(0);
        return perSequenceBincount(rows.reshape(batch, -1), tokens);
    }

    /** A layer's routing -> accesses per sequence and unit [B, units]. */
    private Tensor routedCounts(Routing routing, MemoryConfig m, long length) {
        ChapterConfig chapters = m.chapters();
        Tensor chosen = routing.chapters();
        long batch = chosen.size(0);
        Tensor perChapter = perSequenceBincount(chosen.reshape(batch, -1).add(Ops.integer(chapters.shared())), chapters.count());
        if (routing.perSequence()) {
            perChapter = perChapter.mul(Ops.integer(length));
        }
        if (chapters.shared() > 0) {
            perChapter.narrow(1, 0, chapters.shared()).add_(Ops.integer(length));
        }
        if (unit == AccessUnit.CHAPTERS) {
            return perChapter;
        }
        long rowsPerChapter = m.numTokens() / chapters.count();
        return perChapter.repeat_interleave(rowsPerChapter, new org.bytedeco.pytorch.LongOptional(1),
                new org.bytedeco.pytorch.LongOptional());
    }

    /** ids [B, n] in [0, size) -> how often each id occurs in each row, [B, size] int64. */
    private static Tensor perSequenceBincount(Tensor ids, long size) {
        long batch = ids.size(0);
        // on the ids' device: the model's, which need not be the CPU
        Tensor offsets = Ops.timesInteger(Ops.arange(0, batch, ids), size).unsqueeze(1);
        Tensor flat = ids.to(ScalarType.Long).add(offsets).reshape(-1);
        return bincount(flat, new TensorOptional(), batch * size).view(batch, size);
    }
}
