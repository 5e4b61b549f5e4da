package membank.config;

/**
 * Mixture of Chapters (spec section 2): the bank is split into {@code count} chapters, the first
 * {@code shared} always read, the router picks {@code topK} of the rest.
 */
public record ChapterConfig(int count, int topK, int shared, double routedScale, String routing,
                            String mixing) {
}
