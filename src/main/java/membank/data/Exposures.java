package membank.data;

import java.util.ArrayList;
import java.util.List;

/**
 * How often training saw each document: the packer streams the documents of epoch 0, then of
 * epoch 1 and so on (each followed by EOS), so after {@code tokens} targets every document of the
 * epochs passed in full was seen once per epoch, and those of the current epoch whose ids (and
 * EOS) all fell before the cut once more. On the knowledge set a document is one person's
 * biography holding all of its facts, so this is also how often each fact was seen.
 */
public final class Exposures {
    private Exposures() {
    }

    /**
     * The fewest and the mean exposures of a document after {@code tokens} streamed ids.
     *
     * @param min how many times every document was seen at least
     * @param mean exposures averaged over documents (the fraction of a partly passed epoch included)
     */
    public record Count(long min, double mean) {
    }

    /** The exposures of each document of {@code docs} after {@code tokens} ids of the training stream. */
    public static Count count(EncodedDocuments docs, long tokens) {
        long left = tokens;
        long epochs = 0;
        while (true) {
            int[] lengths = lengths(docs, (int) Math.min(Integer.MAX_VALUE, epochs));
            long epochTokens = sum(lengths);
            if (left < epochTokens) {
                int seen = 0;
                for (int length : lengths) {
                    if (left < length) {
                        break;
                    }
                    left -= length;
                    seen++;
                }
                return new Count(epochs, epochs + seen / (double) lengths.length);
            }
            left -= epochTokens;
            epochs++;
        }
    }

    /** The ids the packer must stream so that every document is seen {@code exposures} times: whole epochs 0 .. exposures - 1. */
    public static long tokensFor(EncodedDocuments docs, int exposures) {
        if (exposures < 1) {
            throw new IllegalArgumentException("exposures = " + exposures + ": must be >= 1");
        }
        long tokens = 0;
        for (int e = 0; e < exposures; e++) {
            tokens += sum(lengths(docs, e));
        }
        return tokens;
    }

    /** Each document's ids plus its EOS, in the order epoch {@code epoch} streams them. */
    private static int[] lengths(EncodedDocuments docs, int epoch) {
        List<Integer> out = new ArrayList<>();
        try (Documents d = docs.documents().documents(epoch)) {
            while (d.hasNext()) {
                out.add(docs.encoder().apply(d.next()).length + 1);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no documents in " + docs.documents().describe());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long sum(int[] lengths) {
        long s = 0;
        for (int n : lengths) {
            s += n;
        }
        return s;
    }
}
