package membank.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

import membank.config.RoutingMode;
import membank.model.MemoryLM;

/** {@code --routing}: how chaptered memory is routed at inference, if not as in training. */
final class RoutingOption {
    @Option(names = "--routing", paramLabel = "MODE",
            description = {"Routing of chaptered memory for this run: sequence, prefix or token"
                    + " (default: membank.chapters.routing of the model, as trained)."})
    String routing;

    /** Applies the override to a loaded model; refuses it for a model without chapters. */
    void apply(MemoryLM model, Path dir) {
        if (routing == null) {
            return;
        }
        if (!model.isRouted()) {
            throw new IllegalArgumentException("--routing " + routing + ": the model in " + dir
                    + " has no chapters (membank.chapters is null), so there is nothing to route");
        }
        model.setInferenceRouting(RoutingMode.of(routing));
    }
}
