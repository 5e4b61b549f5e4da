package membank.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Does memory beat an iso-FLOP transformer, and does it resist forgetting? Runs an experiment file:",
                "arms (memory, iso-flop, backbone, frozen-bank, equal-lr) x seeds x two phases (pretrain on the",
                "knowledge set, then instruct on questions about other people), and reports what it finds.",
                "docs/experiments.md describes the file format and the report."},
        subcommands = {ExperimentRunCommand.class, ExperimentReportCommand.class, CommandLine.HelpCommand.class})
final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
