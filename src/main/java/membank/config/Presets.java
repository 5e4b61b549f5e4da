package membank.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Named starting configurations (a full config.json with a training block) shipped as resources
 * under {@code membank/presets/}. {@link #load} returns a fresh tree each time, so callers may apply
 * {@link Overrides} to it freely. docs/config.md has the table of sizes.
 */
public final class Presets {
    private static final String FOLDER = "/membank/presets/";
    // A fixed list rather than a classpath scan: listing resources inside a jar is unreliable.
    private static final List<String> NAMES = List.of("tiny", "small", "small-nomem", "base25m", "base-memory", "base-nomem");

    private Presets() {
    }

    public static List<String> names() {
        return NAMES;
    }

    /**
     * The preset {@code name} with {@code --set} style assignments ({@code "training.steps=5"},
     * {@code "membank.chapters={\"count\":4,\"top_k\":1}"}) applied, read and validated.
     */
    public static RunConfig run(String name, String... assignments) {
        ObjectNode tree = load(name);
        Overrides.apply(tree, List.of(assignments));
        return RunConfig.parse(tree);
    }

    /** The model of {@link #run}. */
    public static ModelConfig model(String name, String... assignments) {
        return run(name, assignments).model();
    }

    public static ObjectNode load(String name) {
        if (!NAMES.contains(name)) {
            throw new ConfigException("preset '" + name + "' is unknown; available presets: " + String.join(", ", NAMES));
        }
        try (InputStream in = Presets.class.getResourceAsStream(FOLDER + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("preset resource " + FOLDER + name + ".json is missing from the build");
            }
            JsonNode tree = Json.mapper().readTree(in);
            return (ObjectNode) tree;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read preset " + name, e);
        }
    }
}
