package membank.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import membank.config.Overrides;
import membank.config.Presets;
import membank.config.RunConfig;
import membank.eval.LossPlot;
import membank.nn.Precision;
import membank.train.AfterTrainingException;
import membank.train.RunSummary;
import membank.train.Corpus;
import membank.train.DataParallel;
import membank.train.TrainingRun;
import membank.util.AtomicFile;
import membank.util.DirectoryLock;
import membank.util.Directories;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The whole pipeline in one command: generate the synthetic knowledge set, train a small",
                "memory model and the same backbone without memory on it, and print a table (loss, fact",
                "recall, tokens/s, parameters) and a loss-curve PNG. Word-level tokens (docs/data.md).",
                "About 3 minutes on 2 cores; --quick takes under a minute."},
        footer = {"", "Examples:", "  ./membank demo", "  ./membank demo --quick --out runs/quick-demo"})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A tiny model and a short run (about 1 minute).")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Where runs, table and plot go (default: runs/demo, or runs/demo-quick).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "Override the number of training steps of both models.")
    Integer steps;

    @Option(names = "--entities", paramLabel = "N", description = "Override the number of people in the knowledge set.")
    Integer entities;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16", description = "Override the precision of both runs.")
    String precision;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws IOException {
        // an unusable device is refused before anything is trained
        Device where = device.resolve();
        Path dir = out != null ? out : Path.of(quick ? "runs/demo-quick" : "runs/demo");
        try (DirectoryLock lock = RunDirectories.lockOut(dir)) {
            return demo(dir, where);
        }
    }

    private int demo(Path dir, Device where) throws IOException {
        Plan plan = quick ? Plan.QUICK : Plan.DEFAULT;
        Map<String, Path> metrics = new LinkedHashMap<>();
        List<RunSummary> summaries = new ArrayList<>();
        List<String> names = List.of("memory", "no memory");
        for (int i = 0; i < names.size(); i++) {
            Path runDir = dir.resolve(i == 0 ? "memory" : "baseline");
            deleteRun(runDir);
            RunConfig run = config(plan, i == 1);
            Precision p = run.training().precision().resolve();
            System.err.printf("membank demo: training '%s' (%s, %d steps, %s) -> %s%n", names.get(i), plan.preset,
                    run.training().steps(), p.label(), runDir);
            summaries.add(TrainingRun.fresh(run, Corpus.open(run.training(), run.model()), runDir, p, DataParallel.single(where)).train());
            metrics.put(names.get(i), runDir.resolve(TrainingRun.METRICS));
        }
        Path png = dir.resolve("loss.png");
        String table = Tables.summary(summaries, names);
        try {
            LossPlot.write(metrics, png, "membank demo: memory vs no memory on the knowledge set");
            AtomicFile.write(dir.resolve("summary.md"), table);
        } catch (IOException e) {
            throw new AfterTrainingException("models", dir, "writing the plot and summary", new UncheckedIOException(e));
        } catch (RuntimeException e) {
            throw new AfterTrainingException("models", dir, "writing the plot and summary", e);
        }
        out().println(table);
        out().println("loss curves: " + png + "    table: " + dir.resolve("summary.md"));
        return 0;
    }

    /** The baseline is the same backbone with the memory block removed. */
    private RunConfig config(Plan plan, boolean baseline) {
        var root = Presets.load(plan.preset);
        List<String> sets = new ArrayList<>(plan.overrides);
        if (baseline) {
            sets.add("membank=null");
        }
        if (steps != null) {
            sets.add("training.steps=" + steps);
        }
        if (entities != null) {
            sets.add("training.data.entities=" + entities);
        }
        if (precision != null) {
            sets.add("training.precision=" + precision);
        }
        Overrides.apply(root, sets);
        return RunConfig.parse(root);
    }

    /** The demo owns its run directories: a previous demo's runs are replaced. */
    private static void deleteRun(Path runDir) throws IOException {
        if (!Files.exists(runDir)) {
            return;
        }
        if (!Files.exists(runDir.resolve(TrainingRun.METRICS))) {
            throw new IllegalArgumentException(runDir + " exists and is not a membank run; choose another --out");
        }
        Directories.deleteTree(runDir);
    }

    /** Which presets the demo compares and how long it trains them. */
    private enum Plan {
        // Word-level tokens make a biography about 55 tokens, so 300 steps of 16 x 128 show each of the
        // 50 people's facts about 220 times: enough for both models to recall many, and to differ.
        DEFAULT("small", List.of("training.steps=300", "training.eval_every=100", "training.data.entities=50",
                "training.data.tokenizer=word")),
        QUICK("tiny", List.of("training.steps=600", "training.eval_every=200", "training.data.tokenizer=word"));

        final String preset;
        final List<String> overrides;

        Plan(String preset, List<String> overrides) {
            this.preset = preset;
            this.overrides = overrides;
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
