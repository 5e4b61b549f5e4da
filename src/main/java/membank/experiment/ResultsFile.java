package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import membank.util.AtomicFile;

/**
 * results.jsonl of a run directory: one {@link UnitResult} a line, in the order units finished.
 * Appending rewrites the whole file atomically, so an interruption leaves every record whole.
 */
public final class ResultsFile {
    public static final String NAME = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {
    }

    public static List<UnitResult> read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<UnitResult> out = new ArrayList<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (!text.isBlank()) {
                    try {
                        out.add(UnitResult.of(JSON.readTree(text)));
                    } catch (IOException e) {
                        throw new IllegalArgumentException(file + " line " + line + " is not a result record: " + e.getMessage()
                                + "; delete that line and rerun to measure the unit again", e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    static void append(Path dir, UnitResult result) {
        StringBuilder b = new StringBuilder();
        for (UnitResult r : read(dir)) {
            b.append(r.toJson()).append('\n');
        }
        b.append(result.toJson()).append('\n');
        try {
            AtomicFile.write(dir.resolve(NAME), b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        }
    }
}
