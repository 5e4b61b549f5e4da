package membank.bench;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.Overrides;
import membank.config.Presets;
import membank.config.RunConfig;

/**
 * The three models the Mixture-of-Chapters authors' PyTorch code is timed on (shared/peer): d 512,
 * 6 layers, 8 query / 4 kv heads, SwiGLU 1536, vocab 8192, batch 4 x 512; the same backbone alone,
 * with a dense 4,096-token bank read in layers 1, 3, 5, and with a 65,536-token bank of 1,024
 * chapters of which each sequence reads 64. Both sides count the same 27.5M parameters for the
 * dense model.
 */
public enum PeerModels {
    BACKBONE("backbone", 0, null),
    DENSE("dense 4,096", 4096, null),
    ROUTED("routed 65,536, sequence, 64 of 1,024", 65536, "sequence");

    private static final List<String> BASE = List.of("num_hidden_layers=6", "membank.layers=[1,3,5]",
            "membank.num_kv_heads=4", "vocab_size=8192", "training.batch_size=4", "training.seq_len=512");

    private final String label;
    private final int bankTokens;
    private final String routing;

    PeerModels(String label, int bankTokens, String routing) {
        this.label = label;
        this.bankTokens = bankTokens;
        this.routing = routing;
    }

    public String label() {
        return label;
    }

    /** The peer script's arguments for this model (bench_moc.py). */
    public List<String> peerArguments() {
        List<String> out = new ArrayList<>(List.of("--bank", Integer.toString(bankTokens)));
        if (routing != null) {
            out.addAll(List.of("--routing", routing));
        }
        return out;
    }

    /** The membank configuration of this model: the base25m preset reshaped to the peer's. */
    public RunConfig config() {
        return RunConfig.parse(root());
    }

    /** The same as {@link #config()}, as the overrides a user would pass with --set. */
    public List<String> overrides() {
        List<String> out = new ArrayList<>(BASE);
        switch (this) {
            case BACKBONE -> out.add("membank=null");
            case DENSE -> out.add("membank.num_tokens=4096");
            case ROUTED -> {
                out.add("membank.num_tokens=65536");
                out.add("membank.chapters={\"count\":1024,\"top_k\":64,\"routing\":\"" + routing + "\"}");
            }
        }
        return out;
    }

    private ObjectNode root() {
        ObjectNode root = Presets.load("base25m");
        Overrides.apply(root, overrides());
        return root;
    }
}
