package membank.model;

import java.util.Set;

/**
 * Which parameter groups a training run leaves frozen, for counting backward FLOPs: a frozen
 * weight needs no weight gradient, only the gradient of its input when something below it trains.
 * {@code memoryLayers} covers memory attention's q/o projections, the router and variant B's MLP;
 * {@code memoryKeyValue} its k/v projections (frozen apart by {@code --freeze bank+kv}).
 */
public record FrozenParts(boolean backbone, boolean memoryLayers, boolean memoryKeyValue, boolean bank) {
    /** Everything trains: training from scratch. */
    public static final FrozenParts NONE = new FrozenParts(false, false, false, false);

    /** The groups of {@link ParameterRole}; a frozen memory layer freezes its k/v projections too. */
    public static FrozenParts of(Set<ParameterRole> frozen) {
        boolean memory = frozen.contains(ParameterRole.MEMORY_LAYER);
        return new FrozenParts(frozen.contains(ParameterRole.BACKBONE), memory, memory,
                frozen.contains(ParameterRole.BANK));
    }

    /** True when some parameter trains, so gradients flow back through the network at all. */
    public boolean anyTrainable() {
        return !(backbone && memoryLayers && memoryKeyValue && bank);
    }
}
