package membank.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.AdapterMethod;
import membank.config.SparseMemoryConfig;
import membank.util.AtomicFile;
import membank.util.Machine;
import membank.model.MemoryFreeze;
import membank.nn.Precision;
import membank.train.AdapterComparison;
import membank.train.AdapterComparison.Row;
import membank.util.DirectoryLock;
import membank.train.Adaptation;

@Command(name = "compare-adapters", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Knowledge injection into a pretrained base, one method per row with the same token budget:",
                "each method learns the facts of a knowledge set the base never saw (the base's knowledge seed + 1000),",
                "then the table reports trainable parameters, bytes written, recall of the new facts, the loss on the",
                "base's own validation data (forgetting), training tokens/s and generation tokens/s next to the base.",
                "The base must be a membank model trained on the knowledge set (e.g. train --preset small-nomem); on a",
                "base with memory (e.g. train --preset small) the methods are sparse-memory and full."},
        footer = {"", "Examples:",
                "  membank train --preset small-nomem --steps 400 --out runs/base",
                "  membank compare-adapters --base runs/base --steps 200 --report docs/results-adapters.md",
                "  membank compare-adapters --base runs/base --methods memory,lora --set membank.num_tokens=16384",
                "  membank compare-adapters --base runs/small --methods sparse-memory,full --top-t 256 --access-top-k 8"})
final class CompareAdaptersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "The pretrained base (trained on the knowledge set).")
    Path base;

    @Option(names = "--methods", paramLabel = "LIST", split = ",", defaultValue = "memory,lora,memory+lora,full",
            description = "Methods to compare, from memory, lora, memory+lora, full, sparse-memory (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps per method (training.steps, default 200).")
    Integer steps;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/compare-adapters",
            description = "Where each method's adapter or model goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the table, command and machine as Markdown to FILE.")
    Path report;

    @Mixin
    LoraOptions lora = new LoraOptions();

    @Option(names = "--freeze", paramLabel = "WHAT", defaultValue = "none",
            description = "Memory kept at its initial values: none, bank or bank+kv (default: ${DEFAULT-VALUE}).")
    String freeze;

    @Option(names = "--generate", paramLabel = "N", defaultValue = "64", description = "Tokens generated to time generation (default: ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16", defaultValue = "auto",
            description = "Precision of every run (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A membank.* or training.* override applied to every method.")
    List<String> assignments = new ArrayList<>();

    @Mixin
    SparseMemoryOptions sparse = new SparseMemoryOptions();

    @Override
    public Integer call() throws IOException {
        List<AdapterMethod> chosen = methods.stream().map(m -> AdapterMethod.of("--methods", m)).toList();
        Precision p = Precision.resolve(precision);
        List<String> all = TrainingFlags.with(assignments, steps, precision, null);
        var comparison = new AdapterComparison(base, chosen.stream().anyMatch(AdapterMethod::usesLora) ? lora.config() : null,
                MemoryFreeze.of(freeze), all, p, generate, sparseConfig(chosen));
        long began = System.nanoTime();
        List<Row> rows;
        try (DirectoryLock lock = RunDirectories.lockOut(out)) {
            rows = comparison.run(chosen, out, line -> System.err.println("compare-adapters: " + line));
        }
        String table = table(rows);
        out().println(table);
        if (report != null) {
            AtomicFile.write(report, markdown(table, p, (System.nanoTime() - began) / 60e9).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out().println("report written to " + report);
        }
        return 0;
    }

    /** The sparse-memory settings when it is compared (its background is always the base's own data). */
    private SparseMemoryConfig sparseConfig(List<AdapterMethod> chosen) {
        if (chosen.stream().noneMatch(AdapterMethod::needsMemoryBase)) {
            if (!sparse.given().isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", sparse.given()) + ": for sparse-memory only, which"
                        + " --methods does not list");
            }
            return null;
        }
        if (sparse.background != null && !SparseMemoryConfig.DEFAULT_BACKGROUND.equals(sparse.background)) {
            throw new IllegalArgumentException("--background " + sparse.background + ": the comparison weighs the new facts"
                    + " against the base's own knowledge set (--background default)");
        }
        return sparse.config();
    }

    static String table(List<Row> rows) {
        double baseSpeed = rows.get(0).generationTokensPerSecond();
        StringBuilder b = new StringBuilder();
        b.append("| method | trainable params | stored | new-fact recall (seen / held-out wording) | base-data loss | train tokens/s | generate tokens/s | vs base |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s / %s | %.4f | %s | %.1f | %s |%n", r.method(),
                    Tables.human(r.trainable()), r.storedBytes() == 0 ? "-" : Tables.bytes(r.storedBytes()), Tables.pct(r.newFacts().accuracy()),
                    Tables.pct(r.newFactsHeldout().accuracy()), r.baseDataLoss(),
                    Double.isNaN(r.trainTokensPerSecond()) ? "-" : String.format(Locale.ROOT, "%,.0f", r.trainTokensPerSecond()),
                    r.generationTokensPerSecond(), String.format(Locale.ROOT, "%+.0f%%", 100 * (r.generationTokensPerSecond() / baseSpeed - 1))));
        }
        return b.toString();
    }

    private String markdown(String table, Precision p, double minutes) {
        String command = "membank " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        return "# Memory vs LoRA vs full fine-tuning: knowledge injection\n\n"
                + "Written by `compare-adapters` on " + LocalDate.now() + " (" + String.format(Locale.ROOT, "%.1f", minutes)
                + " minutes, " + p.label() + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + Machine.cpuModel() + ").\n\n"
                + "    " + command + "\n\n" + table + "\n"
                + "- **new-fact recall**: greedy answers to questions about the new knowledge set, in the wordings"
                + " training used (seen) and in held-out wordings.\n"
                + "- **base-data loss**: loss on the base's own validation data after adapting; the base row is the"
                + " reference, a higher value is forgetting.\n"
                + "- **stored**: bytes of safetensors the method wrote (the adapter file, or the whole model).\n"
                + "- **generate tokens/s**: greedy decoding with KV cache, batch 1, the median of 3 runs after a"
                + " warm-up run.\n";
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
