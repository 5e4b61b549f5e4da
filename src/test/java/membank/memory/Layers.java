package membank.memory;

import java.util.List;
import java.util.function.UnaryOperator;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;
import membank.config.RoutingMode;

import org.bytedeco.pytorch.Tensor;

/** Memory attention layers for tests, built from a {@code membank} block as a model builds them. */
final class Layers {
    private Layers() {
    }

    /** Memory attention of width {@code dim} with these heads, over a dense bank, without chapters. */
    static MemoryAttention attention(long dim, int heads, int kvHeads, int headDim) {
        return attention(dim, heads, kvHeads, headDim, null, b -> b);
    }

    /** ... reading the bank by {@code chapters} (null: dense). */
    static MemoryAttention attention(long dim, int heads, int kvHeads, int headDim, ChapterConfig chapters) {
        return attention(dim, heads, kvHeads, headDim, chapters, b -> b);
    }

    /** ... with the further keys {@code edit} sets (bank kind, projection rank, context). */
    static MemoryAttention attention(long dim, int heads, int kvHeads, int headDim, ChapterConfig chapters,
                                     UnaryOperator<MemoryConfig.Builder> edit) {
        MemoryConfig.Builder b = new MemoryConfig.Builder().layers(List.of(0))
                .numTokens(chapters == null ? 1 : chapters.count()).numHeads(heads).numKvHeads(kvHeads)
                .headDim(headDim).chapters(chapters);
        return new MemoryAttention(edit.apply(b).build(null), dim);
    }

    /** How a layer reads (routing, padding, router state, trace), before a bank is given: see {@link #of}. */
    static MemoryRead how(RoutingMode routing, Tensor valid, RouterState state, RoutingTrace trace, int layer) {
        return new MemoryRead(null, null, routing, valid, state, trace, layer, null);
    }

    /** A read of {@code routing} alone. */
    static MemoryRead how(RoutingMode routing) {
        return how(routing, null, null, null, 0);
    }

    /** {@code how} reading {@code bank} (float rows [N, w]) from {@code cached} K/V (or null: projected now). */
    static MemoryRead of(Tensor bank, MemoryKv cached, MemoryRead how) {
        return of(BankRows.of(bank), cached, how);
    }

    static MemoryRead of(BankRows bank, MemoryKv cached, MemoryRead how) {
        MemoryRead read = how == null ? MemoryRead.of(bank)
                : new MemoryRead(bank, null, how.routing(), how.valid(), how.state(), how.trace(), how.layer(), how.context());
        return read.withCached(cached);
    }
}
