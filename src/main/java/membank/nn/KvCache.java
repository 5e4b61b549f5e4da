package membank.nn;

import static org.bytedeco.pytorch.global.torch.zeros;

import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * Keys and values of one self-attention layer for incremental decoding, preallocated to the
 * maximum length so a new token costs a copy of its own K/V only.
 */
public final class KvCache {
    private final Tensor keys;
    private final Tensor values;
    private long length;

    public KvCache(long batch, long kvHeads, long maxLength, long headDim, TensorOptions options) {
        long[] shape = {batch, kvHeads, maxLength, headDim};
        this.keys = zeros(shape, options);
        this.values = zeros(shape, options);
    }

    /** The preallocated keys and values [B, Hkv, max, dh] (for checks of where they are). */
    public List<Tensor> tensors() {
        return List.of(keys, values);
    }

    public long length() {
        return length;
    }

    public long capacity() {
        return keys.size(2);
    }

    /** Stores k, v [B, Hkv, L, dh] after what is cached and returns views over everything cached. */
    Tensor[] append(Tensor k, Tensor v) {
        long added = k.size(2);
        if (length + added > capacity()) {
            throw new IllegalStateException("KV cache full: " + (length + added) + " > " + capacity()
                    + " positions; raise the generation limit");
        }
        keys.narrow(2, length, added).copy_(k);
        values.narrow(2, length, added).copy_(v);
        length += added;
        return new Tensor[] {keys.narrow(2, 0, length), values.narrow(2, 0, length)};
    }
}
