package membank.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import membank.experiment.ExperimentReport;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild report.md and the plots of an experiment run directory from its results.jsonl",
                "(also works on a run still in progress: unmeasured units show as '-')."},
        footer = {"", "Example:", "  membank experiment report runs/experiment-quick"})
final class ExperimentReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The run directory (--out of 'experiment run').")
    Path dir;

    @Override
    public Integer call() {
        ExperimentReport.write(dir);
        spec.commandLine().getOut().println(ExperimentReport.summary(dir));
        spec.commandLine().getOut().println("report written to " + dir.resolve(ExperimentReport.NAME));
        return 0;
    }
}
