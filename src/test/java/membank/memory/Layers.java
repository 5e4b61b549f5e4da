package membank.memory;

import java.util.List;
import java.util.function.UnaryOperator;

import membank.config.ChapterConfig;
import membank.config.MemoryConfig;

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
}
