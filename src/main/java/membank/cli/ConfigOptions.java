package membank.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import membank.config.ConfigException;
import membank.config.ConfigJson;
import membank.config.Overrides;
import membank.config.Presets;

/** Where a run's configuration comes from: a file or a preset, then --set overrides. */
final class ConfigOptions {
    static final class Source {
        @Option(names = "--config", paramLabel = "FILE",
                description = "A config.json (Hugging Face keys + \"membank\" block), optionally with a \"training\" block.")
        Path file;

        @Option(names = "--preset", paramLabel = "NAME",
                description = "A built-in configuration: tiny, small, small-nomem, base25m, base-memory, base-nomem.")
        String preset;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override any key by dotted path; VALUE is parsed as JSON when it parses, else as a"
                    + " string (e.g. --set membank.variant=B --set membank.layers=[0,2] --set training.lr=1e-3).")
    List<String> assignments = new ArrayList<>();

    /** The configuration tree with overrides applied; {@code fallbackPreset} when neither source is given. */
    ObjectNode resolve(String fallbackPreset, List<String> extra) {
        ObjectNode root;
        if (source != null && source.file != null) {
            if (!(ConfigJson.read(source.file) instanceof ObjectNode node)) {
                throw new ConfigException(source.file + " must hold a JSON object");
            }
            root = node;
        } else {
            root = Presets.load(source != null && source.preset != null ? source.preset : fallbackPreset);
        }
        List<String> all = new ArrayList<>(assignments);
        all.addAll(extra);
        Overrides.apply(root, all);
        return root;
    }

    String name(String fallback) {
        if (source == null) {
            return fallback;
        }
        if (source.preset != null) {
            return source.preset;
        }
        String file = source.file.getFileName().toString();
        return file.endsWith(".json") ? file.substring(0, file.length() - 5) : file;
    }
}
