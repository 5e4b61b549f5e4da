package membank.memory;

import org.bytedeco.pytorch.Tensor;

/**
 * Keys and values of a bank as one memory layer sees them, [Hkv, N, dh] each. At inference the
 * bank is static, so they are computed once per layer and reused for every token.
 */
public record MemoryKv(Tensor keys, Tensor values) {
}
