package membank.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "context", mixinStandardHelpOptions = true,
        description = "The context bank: train a model to read it, evaluate cross-session recall, manage users' banks.",
        subcommands = {ContextTrainCommand.class})
final class ContextCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
