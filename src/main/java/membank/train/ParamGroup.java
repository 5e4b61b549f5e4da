package membank.train;

/**
 * An optimizer group: the bank, the memory layers (attention, norms, MLP of variant B, router) and
 * the rest, each but the bank split by whether weight decay applies. {@link GroupedAdamW#groups}
 * puts each parameter in one.
 */
enum ParamGroup {
    BANK, MEMORY, MEMORY_NO_DECAY, BASE, BASE_NO_DECAY
}
