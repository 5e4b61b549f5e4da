package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import membank.util.AtomicFile;

/**
 * Which pretrained facts a model recalled after pretraining, one character per probe ('1'
 * recalled, '0' not) in {@code recalled.txt} of the pretraining unit, so the instruct phase can
 * count forgetting on what was actually known.
 */
final class RecalledFacts {
    static final String NAME = "recalled.txt";

    private RecalledFacts() {
    }

    static void write(Path unitDir, boolean[] hits) {
        StringBuilder b = new StringBuilder(hits.length + 1);
        for (boolean h : hits) {
            b.append(h ? '1' : '0');
        }
        try {
            AtomicFile.write(unitDir.resolve(NAME), b.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + unitDir.resolve(NAME), e);
        }
    }

    static boolean[] read(Path unitDir) {
        Path file = unitDir.resolve(NAME);
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            boolean[] hits = new boolean[text.length()];
            for (int i = 0; i < hits.length; i++) {
                hits[i] = text.charAt(i) == '1';
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (the facts recalled after pretraining); delete the"
                    + " pretraining result of this unit from results.jsonl to measure it again", e);
        }
    }

    /** The share of the facts recalled {@code before} that are recalled {@code after} too; NaN when none were known. */
    static double keptShare(boolean[] before, boolean[] after) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("recalled facts before (" + before.length + ") and after (" + after.length
                    + ") count different probes");
        }
        int known = 0;
        int kept = 0;
        for (int i = 0; i < before.length; i++) {
            if (before[i]) {
                known++;
                if (after[i]) {
                    kept++;
                }
            }
        }
        return known == 0 ? Double.NaN : kept / (double) known;
    }
}
