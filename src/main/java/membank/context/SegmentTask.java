package membank.context;

import java.util.ArrayList;
import java.util.List;

import membank.data.Entity;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;

/**
 * The segment task that teaches memory layers to read the context bank (spec section 7): segment 1
 * is a biography of a person invented for this draw, compressed into the bank; segment 2 states
 * the same facts in other words and carries the LM loss. The values are drawn afresh every time,
 * so only segment 1 can tell the model what segment 2 says.
 */
public final class SegmentTask {
    private SegmentTask() {
    }

    /** One pair: what is read into the bank, what is then predicted, and whose facts they are. */
    public record Pair(String first, String second, Entity person) {
    }

    /** {@code count} pairs about distinct people, a deterministic function of {@code seed}. */
    public static List<Pair> pairs(int count, long seed) {
        KnowledgeSet people = KnowledgeSet.generate(new KnowledgeSpec(count, seed));
        List<String> first = people.trainDocuments(0);
        List<String> second = people.trainDocuments(1);
        List<Pair> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Pair(first.get(i), second.get(i), people.entities().get(i)));
        }
        return out;
    }

    /** The seed of training step {@code step}'s draw: no two steps see the same people and values. */
    public static long stepSeed(long seed, int step) {
        return seed * 1_000_003L + 7_919L * step + 1;
    }
}
