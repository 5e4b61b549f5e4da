package membank.cli;

import picocli.CommandLine.Option;

import membank.context.ConsolidationConfig;

/** {@code --alpha/--beta/--gamma}: how consolidation protects important context vectors (docs/context-retrieval.md). */
final class ImportanceOptions {
    @Option(names = "--alpha", paramLabel = "A", defaultValue = "1",
            description = "Importance weight of how often a vector was retrieved (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "1",
            description = "Importance weight of the mean attention a vector received (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "1",
            description = "Importance weight of how recently a vector was used (default: ${DEFAULT-VALUE}).")
    double gamma;

    ConsolidationConfig config(int capacity) {
        return new ConsolidationConfig(capacity, alpha, beta, gamma);
    }
}
