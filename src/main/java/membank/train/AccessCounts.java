package membank.train;

/**
 * How one sample of data read a model's banks, per bank and unit (row or chapter): the number of
 * accesses, and the number of sequences that read the unit at least once (its document frequency).
 */
final class AccessCounts {
    private final long[][] accesses;
    private final long[][] sequencesReading;
    private long sequences;

    AccessCounts(int banks, int units) {
        accesses = new long[banks][units];
        sequencesReading = new long[banks][units];
    }

    /**
     * Adds one batch: {@code perSequence[b]} holds, for bank b, the accesses of each sequence of the
     * batch to each unit, row-major [sequences x units] (null for a bank no layer read).
     */
    void addBatch(long[][] perSequence, int batchSize) {
        int units = units();
        for (int bank = 0; bank < perSequence.length; bank++) {
            long[] counts = perSequence[bank];
            if (counts == null) {
                continue;
            }
            for (int s = 0; s < batchSize; s++) {
                for (int u = 0; u < units; u++) {
                    long c = counts[s * units + u];
                    accesses[bank][u] += c;
                    sequencesReading[bank][u] += c > 0 ? 1 : 0;
                }
            }
        }
        sequences += batchSize;
    }

    int banks() {
        return accesses.length;
    }

    int units() {
        return accesses.length == 0 ? 0 : accesses[0].length;
    }

    long accesses(int bank, int unit) {
        return accesses[bank][unit];
    }

    long[] accesses(int bank) {
        return accesses[bank].clone();
    }

    long sequencesReading(int bank, int unit) {
        return sequencesReading[bank][unit];
    }

    long[] sequencesReading(int bank) {
        return sequencesReading[bank].clone();
    }

    /** Sequences counted: the documents of the TF-IDF. */
    long sequences() {
        return sequences;
    }

    long totalAccesses() {
        long total = 0;
        for (long[] bank : accesses) {
            for (long c : bank) {
                total += c;
            }
        }
        return total;
    }
}
