package membank.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Experiment files by path, or shipped ones by name ({@code quick}, {@code capacity}, ...) from the
 * resources under {@code membank/experiments/}.
 */
public final class ExperimentFiles {
    private static final String FOLDER = "/membank/experiments/";
    // A fixed list: listing resources inside a jar is unreliable.
    private static final List<String> SHIPPED = List.of("quick", "capacity", "bank-size", "forgetting", "real-text");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExperimentFiles() {
    }

    /** The file's JSON tree and the name messages use for it. */
    public record Source(JsonNode tree, String name) {
    }

    public static List<String> shipped() {
        return SHIPPED;
    }

    /** A shipped experiment when {@code nameOrPath} is one's name, otherwise the file at that path. */
    public static Source load(String nameOrPath) {
        if (SHIPPED.contains(nameOrPath)) {
            try (InputStream in = ExperimentFiles.class.getResourceAsStream(FOLDER + nameOrPath + ".json")) {
                if (in == null) {
                    throw new IllegalStateException("experiment resource " + FOLDER + nameOrPath + ".json is missing from the build");
                }
                return new Source(JSON.readTree(in), nameOrPath + " (shipped)");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read shipped experiment " + nameOrPath, e);
            }
        }
        Path file = Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("experiment " + nameOrPath + ": no such file, and not a shipped experiment ("
                    + String.join(", ", SHIPPED) + ")");
        }
        try {
            return new Source(JSON.readTree(file.toFile()), file.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("experiment file " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
