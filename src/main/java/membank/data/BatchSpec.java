package membank.data;

/**
 * Shape of training batches.
 *
 * @param batchSize rows per batch
 * @param seqLen tokens a model sees per row; each row holds {@code seqLen + 1} ids
 */
public record BatchSpec(int batchSize, int seqLen) {

    public BatchSpec {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + ": must be >= 1");
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen = " + seqLen + ": must be >= 1");
        }
    }
}
