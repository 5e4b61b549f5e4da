package membank.config;

import java.util.List;

/**
 * The {@code "membank"} block of config.json: where memory layers go, how banks are shared, and
 * the shape of memory attention. {@code layers} is always the resolved, sorted list of layer
 * indices (placement rules such as {@code every_n} are resolved by {@link ConfigJson}).
 */
public record MemoryConfig(
        String variant,
        List<Integer> layers,
        String sharing,
        int sharingK,
        int numTokens,
        int numHeads,
        int numKvHeads,
        int headDim,
        BankConfig bank,
        Integer projectionRank,
        ChapterConfig chapters,
        RouterLossConfig routerLosses,
        ContextConfig context) {

    public static final String VARIANT_A = "A";
    public static final String VARIANT_B = "B";
    public static final String SHARED = "shared";
    public static final String PER_LAYER = "per_layer";
    public static final String EVERY_K = "every_k";

    public MemoryConfig {
        layers = List.copyOf(layers);
    }

    /** A memory block without a context bank. */
    public MemoryConfig(String variant, List<Integer> layers, String sharing, int sharingK, int numTokens,
                        int numHeads, int numKvHeads, int headDim, BankConfig bank, Integer projectionRank,
                        ChapterConfig chapters, RouterLossConfig routerLosses) {
        this(variant, layers, sharing, sharingK, numTokens, numHeads, numKvHeads, headDim, bank, projectionRank,
                chapters, routerLosses, null);
    }

    /** The same block with {@code context} (null removes the context bank). */
    public MemoryConfig withContext(ContextConfig context) {
        return new MemoryConfig(variant, layers, sharing, sharingK, numTokens, numHeads, numKvHeads, headDim, bank,
                projectionRank, chapters, routerLosses, context);
    }

    /** Which bank memory layer {@code layer} (a model layer index) reads. */
    public int bankIndex(int layer) {
        int position = layers.indexOf(layer);
        if (position < 0) {
            throw new IllegalArgumentException("layer " + layer + " is not a memory layer " + layers);
        }
        return switch (sharing) {
            case SHARED -> 0;
            case PER_LAYER -> position;
            case EVERY_K -> position / sharingK;
            default -> throw new IllegalStateException("unknown sharing " + sharing);
        };
    }

    public int numBanks() {
        return layers.isEmpty() ? 0 : bankIndex(layers.get(layers.size() - 1)) + 1;
    }

    public boolean isVariantB() {
        return VARIANT_B.equals(variant);
    }
}
