package membank.train;

import membank.model.ParameterRole;

/**
 * Which optimizer group a parameter belongs to, from its Hugging Face name: the bank, the memory
 * layers (attention, norms, MLP of variant B, router) and the rest; each split by whether weight
 * decay applies (not on norms, biases and, by default, the bank).
 */
enum ParamGroup {
    BANK, MEMORY, MEMORY_NO_DECAY, BASE, BASE_NO_DECAY;

    static ParamGroup of(String name, long dims) {
        boolean noDecay = dims < 2 || name.endsWith(".bias");
        return switch (ParameterRole.of(name)) {
            case BANK -> BANK;
            case MEMORY_LAYER -> noDecay ? MEMORY_NO_DECAY : MEMORY;
            case BACKBONE -> noDecay ? BASE_NO_DECAY : BASE;
        };
    }
}
