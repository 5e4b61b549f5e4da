package membank.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

import membank.config.AccessUnit;
import membank.config.SparseMemoryConfig;

/** The flags of {@code adapt --method sparse-memory}; null when not given, so other methods can refuse them. */
final class SparseMemoryOptions {
    @Option(names = "--top-t", paramLabel = "N",
            description = "sparse-memory: rows (or chapters) to train, the best N by TF-IDF (default: 1/16 of the bank's).")
    Integer topT;

    @Option(names = "--unit", paramLabel = "rows|chapters",
            description = "sparse-memory: count, rank and train single rows or whole chapters of a routed bank (default: rows).")
    String unit;

    @Option(names = "--background", paramLabel = "default|PATH",
            description = "sparse-memory: the data the new data's reads are weighed against: the base's own training data"
                    + " as its config.json records it (default), or a data path like --data's.")
    String background;

    @Option(names = "--access-top-k", paramLabel = "K",
            description = "sparse-memory, dense banks: rows of highest attention weight that count as read, per position and"
                    + " query head (default: " + SparseMemoryConfig.DEFAULT_ACCESS_TOP_K + ").")
    Integer accessTopK;

    @Option(names = "--count-batches", paramLabel = "N",
            description = "sparse-memory: batches of the new data counted (default: those training reads, steps x grad_accum).")
    Integer countBatches;

    @Option(names = "--background-batches", paramLabel = "N",
            description = "sparse-memory: batches of the background counted (default: "
                    + SparseMemoryConfig.DEFAULT_BACKGROUND_BATCHES + ").")
    Integer backgroundBatches;

    /** The flags given, by name: empty when none was. */
    List<String> given() {
        List<String> out = new ArrayList<>();
        addIf(out, topT, "--top-t");
        addIf(out, unit, "--unit");
        addIf(out, background, "--background");
        addIf(out, accessTopK, "--access-top-k");
        addIf(out, countBatches, "--count-batches");
        addIf(out, backgroundBatches, "--background-batches");
        return out;
    }

    private static void addIf(List<String> out, Object value, String flag) {
        if (value != null) {
            out.add(flag);
        }
    }

    SparseMemoryConfig config() {
        return new SparseMemoryConfig(topT, unit == null ? AccessUnit.ROWS : AccessUnit.of("--unit", unit),
                background == null ? SparseMemoryConfig.DEFAULT_BACKGROUND : background,
                accessTopK == null ? SparseMemoryConfig.DEFAULT_ACCESS_TOP_K : accessTopK, countBatches,
                backgroundBatches == null ? SparseMemoryConfig.DEFAULT_BACKGROUND_BATCHES : backgroundBatches);
    }

    /** The training.data.* keys of a background data path; empty for the default background. */
    List<String> backgroundData(SparseMemoryConfig config) {
        if (config.defaultBackground()) {
            return List.of();
        }
        try {
            return DataFlag.assignments(config.background());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^--data ", "--background "), e);
        }
    }
}
