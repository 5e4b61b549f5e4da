package membank.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "(being written)")
final class GenerateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new IllegalStateException("generate is not written yet");
    }
}
