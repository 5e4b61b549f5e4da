package membank.model;

import java.util.Arrays;
import java.util.List;

/**
 * Which parts of added memory stay at their initial values while adapting (the seed's section 4.5):
 * nothing, the bank, or the bank and the memory attention's key/value projections (then the memory
 * acts as fixed random features that the queries and the output projection learn to use).
 */
public enum MemoryFreeze {
    NONE("none"), BANK("bank"), BANK_KV("bank+kv");

    private final String label;

    MemoryFreeze(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(MemoryFreeze::label).toList();
    }

    public static MemoryFreeze of(String label) {
        for (MemoryFreeze f : values()) {
            if (f.label.equals(label)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--freeze " + label + ": allowed: " + String.join(", ", labels()));
    }

    /** Turns off the gradient of every parameter of {@code model} this freezes. */
    public void apply(MemoryLM model) {
        model.namedParameters().forEach((name, p) -> {
            if (freezes(name)) {
                p.requires_grad_(false);
            }
        });
    }

    /** What this leaves untrained, for counting FLOPs (nothing of the backbone or the memory queries). */
    public FrozenParts frozenParts() {
        return new FrozenParts(false, false, this == BANK_KV, this != NONE);
    }

    /** Whether the adapter tensor {@code name} stays frozen. */
    boolean freezes(String name) {
        return switch (this) {
            case NONE -> false;
            case BANK -> ParameterRole.of(name) == ParameterRole.BANK;
            case BANK_KV -> ParameterRole.of(name) == ParameterRole.BANK
                    || name.contains(".memory_attn.k_proj.") || name.contains(".memory_attn.v_proj.");
        };
    }
}
