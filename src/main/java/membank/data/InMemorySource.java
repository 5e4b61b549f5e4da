package membank.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Documents held in memory, possibly re-rendered per epoch, optionally filtered by a hold-out
 * and shuffled. The hold-out is applied before the shuffle, by original position, so training
 * and validation stay disjoint whatever the epoch's order.
 */
final class InMemorySource implements TextSource {

    private final String name;
    private final IntFunction<List<String>> documentsForEpoch;
    private final int every;
    private final boolean validation;
    private final boolean shuffle;
    private final long shuffleSeed;

    InMemorySource(String name, IntFunction<List<String>> documentsForEpoch) {
        this(name, documentsForEpoch, 0, false, false, 0);
        if (documentsForEpoch.apply(0).isEmpty()) {
            throw new IllegalArgumentException(name + " is empty: give at least one document");
        }
    }

    private InMemorySource(String name, IntFunction<List<String>> documentsForEpoch, int every,
            boolean validation, boolean shuffle, long shuffleSeed) {
        this.name = name;
        this.documentsForEpoch = documentsForEpoch;
        this.every = every;
        this.validation = validation;
        this.shuffle = shuffle;
        this.shuffleSeed = shuffleSeed;
    }

    @Override
    public Documents documents(int epoch) {
        List<String> docs = select(documentsForEpoch.apply(epoch));
        if (shuffle) {
            Collections.shuffle(docs, new Random(shuffleSeed * 1_000_003L + epoch));
        }
        var it = docs.iterator();
        return new AbstractDocuments() {
            @Override
            String computeNext() {
                return it.hasNext() ? it.next() : null;
            }
        };
    }

    private List<String> select(List<String> all) {
        List<String> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            if (every == 0 || FilteredSource.isValidation(i, every) == validation) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    @Override
    public TextSource holdOut(int k, boolean validationPart) {
        if (every != 0) {
            return TextSource.super.holdOut(k, validationPart);
        }
        if (k < 2) {
            throw new IllegalArgumentException("hold out every k-th document: k = " + k + ", must be >= 2");
        }
        return new InMemorySource(name, documentsForEpoch, k, validationPart, shuffle, shuffleSeed);
    }

    @Override
    public TextSource shuffled(long seed) {
        return new InMemorySource(name, documentsForEpoch, every, validation, true, seed);
    }

    @Override
    public String describe() {
        String part = every == 0 ? "" : (validation ? "validation" : "training") + " part of ";
        return part + name;
    }
}
