package membank.memory;

import static org.bytedeco.pytorch.global.torch.arange;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Ops;

/**
 * Where a routed read gets keys and values of chapters: projected from the bank on demand, only
 * for the chapters a batch touches (training), or sliced from K/V projected once (inference).
 */
abstract class ChapterKv {
    final long tokensPerChapter;

    private ChapterKv(long tokensPerChapter) {
        this.tokensPerChapter = tokensPerChapter;
    }

    /** Keys and values of chapters {@code ids} [U] (absolute chapter indices), each [U, Hkv, T, dh]. */
    abstract MemoryKv chapters(Tensor ids);

    /** Keys and values of {@code count} consecutive chapters from {@code first}, each [Hkv, count*T, dh]. */
    abstract MemoryKv span(long first, long count);

    static ChapterKv projecting(Tensor bank, LinearImpl k, LinearImpl v, long kvHeads, long headDim,
                                long tokensPerChapter) {
        return new ChapterKv(tokensPerChapter) {
            @Override
            MemoryKv chapters(Tensor ids) {
                long count = ids.size(0);
                Tensor rows = ids.unsqueeze(1).mul(Ops.integer(tokensPerChapter))
                        .add(arange(Ops.integer(tokensPerChapter), new TensorOptions(ScalarType.Long))).reshape(-1);
                Tensor slice = bank.index_select(0, rows);
                return new MemoryKv(perChapter(k.forward(slice), count), perChapter(v.forward(slice), count));
            }

            @Override
            MemoryKv span(long first, long count) {
                Tensor slice = bank.narrow(0, first * tokensPerChapter, count * tokensPerChapter);
                return new MemoryKv(heads(k.forward(slice)), heads(v.forward(slice)));
            }

            private Tensor perChapter(Tensor projected, long count) {
                return projected.view(count, tokensPerChapter, kvHeads, headDim).permute(0, 2, 1, 3);
            }

            private Tensor heads(Tensor projected) {
                return projected.view(projected.size(0), kvHeads, headDim).transpose(0, 1);
            }
        };
    }

    /** Slices of K/V [Hkv, N, dh] computed once for the whole bank. */
    static ChapterKv cached(MemoryKv all, long tokensPerChapter) {
        return new ChapterKv(tokensPerChapter) {
            @Override
            MemoryKv chapters(Tensor ids) {
                return new MemoryKv(select(all.keys(), ids), select(all.values(), ids));
            }

            @Override
            MemoryKv span(long first, long count) {
                return new MemoryKv(all.keys().narrow(1, first * tokensPerChapter, count * tokensPerChapter),
                        all.values().narrow(1, first * tokensPerChapter, count * tokensPerChapter));
            }

            private Tensor select(Tensor kv, Tensor ids) {
                long kvHeads = kv.size(0);
                return kv.view(kvHeads, kv.size(1) / tokensPerChapter, tokensPerChapter, kv.size(2))
                        .index_select(1, ids).permute(1, 0, 2, 3);
            }
        };
    }
}
