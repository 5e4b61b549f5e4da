package membank.context;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Retrieved bank rows with their cosine similarity to the query, best first. */
public record Hits(int[] rows, float[] scores) {
    public Hits {
        if (rows.length != scores.length) {
            throw new IllegalArgumentException("hits need one score per row, got " + rows.length + " rows and "
                    + scores.length + " scores");
        }
    }

    static Hits none() {
        return new Hits(new int[0], new float[0]);
    }

    public int size() {
        return rows.length;
    }

    /** Recall@k against the exact answer: |these rows ∩ exact rows| / |exact rows| (1 when both are empty). */
    public double recall(Hits exact) {
        if (exact.size() == 0) {
            return 1;
        }
        Set<Integer> wanted = new HashSet<>();
        for (int r : exact.rows) {
            wanted.add(r);
        }
        long found = Arrays.stream(rows).filter(wanted::contains).count();
        return (double) found / exact.size();
    }
}
