package membank.model;

import java.util.List;

import membank.memory.ContextRead;
import membank.memory.MemoryKv;
import membank.memory.RouterState;
import membank.nn.KvCache;

/**
 * Everything incremental decoding keeps between tokens: a self-attention KV cache per layer and,
 * per memory layer, the bank's K/V computed once (the bank does not change at inference) and, for
 * routed layers, the router's running sums (null elsewhere); and the context vectors every step
 * reads, or null.
 */
public record DecodeState(List<KvCache> caches, List<MemoryKv> bankKv, List<RouterState> routers,
                          ContextRead context) {
    public long length() {
        return caches.get(0).length();
    }

    public long capacity() {
        return caches.get(0).capacity();
    }
}
