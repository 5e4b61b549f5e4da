package membank.context;

/**
 * How a {@link ContextIndex} clusters its bank.
 *
 * @param clusters clusters of a full build; 0 = about sqrt(rows), between 1 and {@link ContextIndex#MAX_CLUSTERS}
 * @param seed seed of the k-means sample and initial centroids
 * @param sampleFactor k-means trains on at most this many rows per cluster, then assigns all rows
 * @param iterations k-means iterations on the sample
 * @param splitFactor a cluster that grows past this many times the target size (rows / clusters at
 *        the last build) is split in two by 2-means
 * @param rebuildGrowth a full re-cluster happens when the bank has grown by this factor since the last build
 */
public record IndexConfig(int clusters, long seed, int sampleFactor, int iterations, double splitFactor,
                          double rebuildGrowth) {
    public IndexConfig {
        if (clusters < 0) {
            throw new IllegalArgumentException("index clusters must be >= 0 (0 = about sqrt(rows)), got " + clusters);
        }
        if (sampleFactor < 1) {
            throw new IllegalArgumentException("index sampleFactor must be >= 1 rows per cluster, got " + sampleFactor);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("index iterations must be >= 0, got " + iterations);
        }
        if (!(splitFactor > 1)) {
            throw new IllegalArgumentException("index splitFactor must be > 1 (times the target cluster size), got " + splitFactor);
        }
        if (!(rebuildGrowth > 1)) {
            throw new IllegalArgumentException("index rebuildGrowth must be > 1 (growth since the last build), got " + rebuildGrowth);
        }
    }

    /** About sqrt(rows) clusters, seed 0, 64 sample rows per cluster, 8 iterations, split at 2x, rebuild at 2x. */
    public static IndexConfig defaults() {
        return new IndexConfig(0, 0, 64, 8, 2.0, 2.0);
    }

    public IndexConfig withClusters(int count) {
        return new IndexConfig(count, seed, sampleFactor, iterations, splitFactor, rebuildGrowth);
    }

    public IndexConfig withSeed(long value) {
        return new IndexConfig(clusters, value, sampleFactor, iterations, splitFactor, rebuildGrowth);
    }
}
