package membank.data;

/**
 * A corpus split into training and validation documents, by position so that it is the same on
 * every run and needs no pass over the data.
 */
public record TrainValidation(TextSource train, TextSource validation) {

    /** Every {@code k}-th document (the k-th, 2k-th, ...) goes to validation, the rest to training. */
    public static TrainValidation everyKth(TextSource source, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("validation every k-th document: k = " + k + ", must be >= 2");
        }
        return new TrainValidation(source.holdOut(k, false), source.holdOut(k, true));
    }
}
