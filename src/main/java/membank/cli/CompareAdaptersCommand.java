package membank.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.ConfigJson;
import membank.config.SparseMemoryConfig;
import membank.util.AtomicFile;
import membank.util.Machine;
import membank.model.Checkpoint;
import membank.model.MemoryFreeze;
import membank.nn.Precision;
import membank.train.AdapterComparison;
import membank.train.ComparisonMethod;
import membank.train.ComparisonPlan;
import membank.train.InjectionResult;
import membank.util.DirectoryLock;
import membank.train.Adaptation;

@Command(name = "compare-adapters", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Knowledge injection into pretrained bases at an equal token budget: every method learns the facts",
                "of a knowledge set its base never saw (the base's knowledge seed + 1000, as many people), then the table",
                "reports trainable parameters, bytes written, recall of the new facts (seen and held-out wording), recall",
                "of the base's own facts after adapting (forgetting, in points and as the share of known facts kept), the",
                "loss on the base's own validation data, and training and generation tokens/s.",
                "",
                "Give one base, or two trained on the same people (membank train --preset base-memory / base-nomem):",
                "memory, memory-routed, lora and memory+lora add to the base without memory, sparse-memory trains rows of",
                "the bank of the base with memory, full runs on each base. --budgets repeats every method at multiples of",
                "--steps and --seeds for several seeds; the report then has a trade-off plot (new facts learned against",
                "known facts forgotten, a line per method through its budgets). Each finished unit is appended to",
                "<out>/results.jsonl; rerunning the same command skips the units already measured, and --report-only",
                "rebuilds the table and plot from that file without training."},
        footer = {"", "Examples:",
                "  membank train --preset base-memory --out runs/base-memory",
                "  membank train --preset base-nomem --out runs/base-nomem",
                "  membank compare-adapters --base runs/base-memory --base runs/base-nomem --steps 40 --budgets 1,2,4 \\",
                "      --seeds 0,1,2 --set training.data.entities=50 --report docs/results-adapters.md",
                "  membank compare-adapters --base runs/base-nomem --methods memory,lora --set membank.num_tokens=16384",
                "  membank compare-adapters --base runs/small --methods sparse-memory,full --top-t 256 --access-top-k 8"})
final class CompareAdaptersCommand implements Callable<Integer> {
    /** The trade-off plot every run writes into --out. */
    static final String TRADEOFF_PNG = "tradeoff.png";
    /** The chapters of memory-routed when --chapters is not given: the recipe base's routing. */
    static final String DEFAULT_CHAPTERS = "{\"count\": 16, \"top_k\": 2, \"routing\": \"token\"}";

    @Spec
    CommandSpec spec;

    @Option(names = "--base", paramLabel = "DIR",
            description = "A pretrained base trained on the knowledge set; give it twice for one base with memory and one without.")
    List<Path> bases;

    @Option(names = "--methods", paramLabel = "LIST", split = ",",
            description = "Methods to compare, from memory (dense bank), memory-routed (chapters), lora, memory+lora, full,"
                    + " sparse-memory (default: every method the given bases allow).")
    List<String> methods;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "200",
            description = "Optimizer steps per method at budget 1 (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--budgets", paramLabel = "LIST", split = ",", defaultValue = "1",
            description = "Budgets as multiples of --steps, e.g. 1,2,4 (default: ${DEFAULT-VALUE}).")
    List<Integer> budgets;

    @Option(names = "--seeds", paramLabel = "LIST", split = ",", defaultValue = "0",
            description = "Seeds of the added weights and the data order, e.g. 0,1,2 (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--chapters", paramLabel = "JSON", defaultValue = DEFAULT_CHAPTERS,
            description = "The membank.chapters block of memory-routed (default: ${DEFAULT-VALUE}).")
    String chapters;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/compare-adapters",
            description = "Where each unit's adapter or model goes, with results.jsonl (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write the table, command and machine as Markdown to FILE, and the trade-off plot beside it.")
    Path report;

    @Mixin
    LoraOptions lora = new LoraOptions();

    @Option(names = "--freeze", paramLabel = "WHAT", defaultValue = "none",
            description = "Memory kept at its values: none, bank or bank+kv; applies to memory, memory-routed, memory+lora"
                    + " and full on the base with memory (default: ${DEFAULT-VALUE}).")
    String freeze;

    @Option(names = "--generate", paramLabel = "N", defaultValue = "64", description = "Tokens generated to time generation (default: ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16", defaultValue = "auto",
            description = "Precision of every run (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A training.* override applied to every method, or a membank.* one applied to the memory adapters.")
    List<String> assignments = new ArrayList<>();

    @Mixin
    SparseMemoryOptions sparse = new SparseMemoryOptions();

    @Option(names = "--report-only",
            description = "Train nothing: build the table, the plot and --report from <out>/results.jsonl as it is.")
    boolean reportOnly;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws IOException {
        // an unusable device is refused before any base is read
        Device where = device.resolve();
        if (reportOnly) {
            return report(storedResults(), Precision.resolve(precision), 0);
        }
        if (bases == null || bases.isEmpty()) {
            throw new IllegalArgumentException("--base DIR is required: the pretrained base to adapt (membank train --preset"
                    + " base-nomem), given twice for a base with memory and one without");
        }
        List<ComparisonMethod> chosen = methods == null ? List.of(ComparisonMethod.values())
                : methods.stream().map(m -> ComparisonMethod.of("--methods", m)).toList();
        var plan = new ComparisonPlan(chosen, seeds, budgets, steps, chapters);
        Precision p = Precision.resolve(precision);
        List<String> all = TrainingFlags.with(assignments, null, precision, null);
        boolean anyLora = chosen.stream().anyMatch(m -> m.method().usesLora());
        var comparison = new AdapterComparison(bases, anyLora ? lora.config() : null, MemoryFreeze.of(freeze), all, p, generate,
                sparseConfig(chosen), where);
        long began = System.nanoTime();
        List<InjectionResult> results;
        try (DirectoryLock lock = RunDirectories.lockOut(out)) {
            results = comparison.run(methods == null ? applicable(plan) : plan, out,
                    line -> {
                        spec.commandLine().getErr().println("compare-adapters: " + line);
                        spec.commandLine().getErr().flush();
                    });
        }
        return report(results, p, (System.nanoTime() - began) / 60e9);
    }

    private List<InjectionResult> storedResults() {
        List<InjectionResult> results = InjectionResult.results(out).read();
        if (results.isEmpty()) {
            throw new IllegalArgumentException("--report-only: " + InjectionResult.results(out).file() + " holds no results;"
                    + " run compare-adapters without --report-only first, or point --out at its directory");
        }
        return results;
    }

    /** Prints the table, writes the trade-off plot into --out and, with --report, the Markdown and the plot beside it. */
    private int report(List<InjectionResult> results, Precision p, double minutes) throws IOException {
        String table = InjectionTable.markdown(results);
        out().println(table);
        TradeoffChart.write(results, out.resolve(TRADEOFF_PNG));
        if (report != null) {
            Path png = tradeoffBeside(report);
            TradeoffChart.write(results, png);
            String text = markdown(table, png.getFileName().toString(), p, minutes);
            AtomicFile.write(report, text);
            out().println("report written to " + report + ", trade-off plot to " + png);
        }
        return 0;
    }

    /** Without --methods: every method that one of the given bases allows. */
    private ComparisonPlan applicable(ComparisonPlan plan) {
        List<ComparisonMethod.BaseKind> kinds = bases.stream()
                .map(b -> ComparisonMethod.BaseKind.of(ConfigJson.readModel(Checkpoint.configFile(b)).hasMemory())).toList();
        List<ComparisonMethod> allowed = plan.methods().stream().filter(m -> kinds.stream().anyMatch(m::appliesTo)).toList();
        return new ComparisonPlan(allowed, plan.seeds(), plan.budgets(), plan.steps(), plan.chapters());
    }

    /** The plot beside the report: results-adapters.md gets results-adapters-tradeoff.png. */
    static Path tradeoffBeside(Path report) {
        String name = report.getFileName().toString();
        String stem = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
        return report.resolveSibling(stem + "-tradeoff.png");
    }

    /** The sparse-memory settings when it is compared (its background is always the base's own data). */
    private SparseMemoryConfig sparseConfig(List<ComparisonMethod> chosen) {
        if (!chosen.contains(ComparisonMethod.SPARSE_MEMORY)) {
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

    private String markdown(String table, String png, Precision p, double minutes) {
        String command = "membank " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        return "# Knowledge injection: memory adapters, sparse memory finetuning, LoRA, full fine-tuning\n\n"
                + "Written by `compare-adapters` on " + LocalDate.now() + " (" + (reportOnly ? "from results.jsonl"
                : String.format(Locale.ROOT, "%.1f", minutes) + " minutes") + ", " + p.label() + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + Machine.cpuModel() + ").\n\n"
                + "    " + command + "\n\n" + table + "\n"
                + "![new facts learned against known facts forgotten](" + png + ")\n\n"
                + "- **new facts**: greedy answers to questions about the new people, in the wordings training used (seen)"
                + " and in held-out wordings.\n"
                + "- **base facts recalled**: the base's own facts (training-style wordings) after adapting; **forgetting** is"
                + " its change from the unadapted base in points, **known facts kept** the share of the facts the base"
                + " recalled that are still recalled.\n"
                + "- **base-data loss**: loss on the base's own validation data after adapting (higher: forgetting).\n"
                + "- **stored**: bytes of safetensors the method wrote (the adapter file, or the whole model).\n"
                + "- **generate tokens/s**: greedy decoding with KV cache, batch 1, the median of 3 runs after a"
                + " warm-up run.\n";
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
