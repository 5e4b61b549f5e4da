package membank.nn;

import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A token embedding table registered in a module, seen by the model code as its lookup and its weight. */
public final class Embedding {
    private final EmbeddingImpl table;

    private Embedding(EmbeddingImpl table) {
        this.table = table;
    }

    /** Registers {@code table} ({@link Layers#embedding}) as {@code name} in {@code owner}. */
    public static Embedding register(Module owner, String name, EmbeddingImpl table) {
        return new Embedding(owner.register_module(name, table));
    }

    public Tensor forward(Tensor ids) {
        return table.forward(ids);
    }

    public Tensor weight() {
        return table.weight();
    }
}
