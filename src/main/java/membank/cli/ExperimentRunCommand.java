package membank.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                "  membank experiment run my-experiment.json --out runs/mine --precision fp32",
                "  membank experiment run quick --nproc 2      (every unit data-parallel, docs/distributed.md)"})
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

    @Mixin
    DistributedOptions distributed;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        // an unusable device is refused before any rank starts or file is read
        Device where = device.resolve(distributed.localRank());
        if (distributed.launches()) {
            return distributed.launch(spec);
        }
        ExperimentFiles.Source source = ExperimentFiles.load(file);
        String name = source.tree().path("name").asText("experiment");
        Path dir = out != null ? out : Path.of("runs", "experiment-" + name);
        Precision p = precision == null ? null : Precision.resolve(precision);
        // every rank runs every unit, in the same order; rank 0 alone writes and logs
        try (JobRank rank = JobRank.join(distributed.rendezvous(), where);
             DirectoryLock lock = rank.lock(() -> RunDirectories.lockOut(dir))) {
            ExperimentRunner runner = rank.run(() -> ExperimentRunner.open(source, dir, p,
                    rank.writes() ? line -> System.err.println("experiment: " + line) : line -> { }, rank.parallel()));
            // originalArgs holds the whole command line, from the top command on
            String command = "membank " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            rank.run(() -> runner.run(command));
            if (!rank.writes()) {
                return 0;
            }
        }
        out().println(ExperimentReport.summary(dir));
        out().println("report written to " + dir.resolve(ExperimentReport.NAME));
        return 0;
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
