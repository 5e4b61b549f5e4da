package membank.train;

/**
 * Which optimizer group a parameter belongs to, from its Hugging Face name: the bank, the memory
 * layers (attention, norms, MLP of variant B, router) and the rest; each split by whether weight
 * decay applies (not on norms, biases and, by default, the bank).
 */
enum ParamGroup {
    BANK, MEMORY, MEMORY_NO_DECAY, BASE, BASE_NO_DECAY;

    static ParamGroup of(String name, long dims) {
        if (name.startsWith("model.memory.banks.")) {
            return BANK;
        }
        boolean noDecay = dims < 2 || name.endsWith(".bias");
        boolean memory = name.contains(".memory_attn.") || name.contains(".memory_layernorm.")
                || name.contains(".memory_mlp.") || name.contains(".memory_mlp_layernorm.");
        if (memory) {
            return noDecay ? MEMORY_NO_DECAY : MEMORY;
        }
        return noDecay ? BASE_NO_DECAY : BASE;
    }
}
