package membank.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one results-file format: JSON Lines, one measured record a line, in the order the records
 * were measured. Each addition rewrites the whole file through {@link AtomicFile}, so an
 * interruption never leaves half a record, and a rerun reads back what is done and measures only
 * the rest. {@code experiment run}, {@code compare-adapters} and {@code bench memory --results}
 * keep their results this way.
 *
 * @param <T> one record
 */
public final class ResultsFile<T> {
    /** The file's name in a run directory. */
    public static final String NAME = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A record to and from one line's JSON. */
    public interface Codec<T> {
        JsonNode toJson(T record);

        T fromJson(JsonNode json) throws IOException;
    }

    private final Path file;
    private final String what;
    private final Codec<T> codec;

    /**
     * @param what what a record is, for the message about a line that is not one ("a result record")
     */
    public ResultsFile(Path file, String what, Codec<T> codec) {
        this.file = file;
        this.what = what;
        this.codec = codec;
    }

    /** {@code DIR/results.jsonl}. */
    public static <T> ResultsFile<T> in(Path dir, String what, Codec<T> codec) {
        return new ResultsFile<>(dir.resolve(NAME), what, codec);
    }

    /** A codec for a record class that Jackson binds (unknown keys are ignored when reading). */
    public static <T> Codec<T> bound(Class<T> type) {
        return new Codec<>() {
            @Override
            public JsonNode toJson(T record) {
                return JSON.valueToTree(record);
            }

            @Override
            public T fromJson(JsonNode json) throws IOException {
                return JSON.treeToValue(json, type);
            }
        };
    }

    public Path file() {
        return file;
    }

    /** The records, in file order; none when the file does not exist. Blank lines are skipped. */
    public List<T> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<T> out = new ArrayList<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (!text.isBlank()) {
                    out.add(parse(line, text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /** Adds one record after those already in the file. */
    public void append(T record) {
        List<T> all = new ArrayList<>(read());
        all.add(record);
        write(all);
    }

    /** {@code records} written as the whole file, atomically. */
    public void write(List<T> records) {
        StringBuilder b = new StringBuilder();
        try {
            for (T r : records) {
                b.append(JSON.writeValueAsString(codec.toJson(r))).append('\n');
            }
            AtomicFile.write(file, b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private T parse(int line, String text) {
        try {
            return codec.fromJson(JSON.readTree(text));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " line " + line + " is not " + what + ": " + e.getMessage()
                    + "; delete that line and rerun to measure the unit again", e);
        }
    }
}
