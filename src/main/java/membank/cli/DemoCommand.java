package membank.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "(being written)")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new IllegalStateException("demo is not written yet");
    }
}
