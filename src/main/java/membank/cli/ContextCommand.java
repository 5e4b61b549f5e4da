package membank.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "context", mixinStandardHelpOptions = true,
        description = {"The context bank: train a model to read it, measure cross-session recall, and manage users'"
                        + " banks (the compressed vectors of what the model read in each user's conversations).",
                "Each subcommand takes --store DIR, the directory of the banks (default: $MEMBANK_HOME/context"
                        + " when MEMBANK_HOME is set, else ~/.membank/context). Format and guarantees:"
                        + " docs/context-store.md."},
        footer = {"", "Examples:",
                "  membank context train --model runs/small --out runs/small-context",
                "  membank context eval --model runs/small-context",
                "  membank context list",
                "  membank context inspect --user alice",
                "  membank context export --user alice --out alice.jsonl",
                "  membank context forget --user alice --store /srv/membank/context"},
        subcommands = {ContextTrainCommand.class, ContextEvalCommand.class, ContextListCommand.class,
                ContextInspectCommand.class, ContextExportCommand.class, ContextForgetCommand.class,
                ContextCompactCommand.class})
final class ContextCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
