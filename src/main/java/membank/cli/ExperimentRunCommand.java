package membank.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import membank.experiment.ExperimentFiles;
import membank.experiment.ExperimentReport;
import membank.experiment.ExperimentRunner;
import membank.nn.Precision;
import membank.util.DirectoryLock;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an experiment file, or a shipped one by name (quick, capacity, bank-size, forgetting,",
                "real-text), into --out: one training run per (sweep point, arm, seed, phase) under runs/,",
                "results.jsonl, report.md and PNG plots. Rerunning the same command skips measured units and",
                "resumes an unfinished one from its last checkpoint. docs/experiments.md has the file format."},
        footer = {"", "Examples:",
                "  membank experiment run quick",
                "  membank experiment run capacity --out runs/capacity",
                "  membank experiment run my-experiment.json --out runs/mine --precision fp32"})
final class ExperimentRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|NAME", description = "An experiment JSON file, or quick, capacity, bank-size, forgetting, real-text.")
    String file;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/experiment-<name>).")
    Path out;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16",
            description = "Override the base configuration's training.precision for every run.")
    String precision;

    @Override
    public Integer call() {
        ExperimentFiles.Source source = ExperimentFiles.load(file);
        String name = source.tree().path("name").asText("experiment");
        Path dir = out != null ? out : Path.of("runs", "experiment-" + name);
        try (DirectoryLock lock = RunDirectories.lockOut(dir)) {
            ExperimentRunner runner = ExperimentRunner.open(source, dir, precision == null ? null : Precision.resolve(precision),
                    line -> System.err.println("experiment: " + line));
            // originalArgs holds the whole command line, from the top command on
            String command = "membank " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            runner.run(command);
        }
        out().println(ExperimentReport.summary(dir));
        out().println("report written to " + dir.resolve(ExperimentReport.NAME));
        return 0;
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
