package membank.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.util.AtomicFile;

/**
 * results.jsonl of a {@code compare-adapters} directory: one {@link InjectionResult} a line, in the
 * order units finished. Each addition rewrites the file atomically, so an interruption never leaves
 * half a record, and a rerun skips the units already measured.
 */
public final class InjectionResults {
    public static final String NAME = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private InjectionResults() {
    }

    public static List<InjectionResult> read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<InjectionResult> out = new ArrayList<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (!text.isBlank()) {
                    out.add(parse(file, line, text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    private static InjectionResult parse(Path file, int line, String text) {
        try {
            return JSON.readValue(text, InjectionResult.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " line " + line + " is not a compare-adapters result: "
                    + e.getMessage() + "; delete that line and rerun to measure the unit again", e);
        }
    }

    /** {@code results} written as the whole file, atomically. */
    static void write(Path dir, List<InjectionResult> results) {
        StringBuilder b = new StringBuilder();
        try {
            for (InjectionResult r : results) {
                b.append(JSON.writeValueAsString(r)).append('\n');
            }
            AtomicFile.write(dir.resolve(NAME), b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        }
    }
}
