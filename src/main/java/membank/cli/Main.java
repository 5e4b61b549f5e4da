package membank.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import membank.nn.NativeRuntime;

/** The membank command line: one subcommand per file in this package. */
@Command(name = "membank", mixinStandardHelpOptions = true, version = "membank 0.1.0",
        description = "Memory-augmented transformers on the JVM: train, evaluate, score, generate, inspect.",
        subcommands = {TrainCommand.class, AdaptCommand.class, CompareAdaptersCommand.class, EvalCommand.class, ScoreCommand.class, GenerateCommand.class,
                InspectCommand.class, ContextCommand.class, ChatCommand.class, ExperimentCommand.class, DemoCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "libtorch intra-op threads (default: OMP_NUM_THREADS if set, else the cores available to this process).")
    void threads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--threads must be >= 1, got " + n);
        }
        NativeRuntime.setThreads(n);
    }

    @Option(names = ErrorHandler.VERBOSE, scope = ScopeType.INHERIT,
            description = "On an error, print its full stack trace too (libtorch's native frames included).")
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands Errors through; tensors live outside the heap, so this is Java-side data
            System.err.println("membank: the Java heap (" + Tables.bytes(Runtime.getRuntime().maxMemory()) + ") is full: "
                    + e.getMessage() + "; give it more with MEMBANK_JAVA_OPTS=-Xmx16g (the launcher's default is -Xmx8g)");
            if (List.of(args).contains(ErrorHandler.VERBOSE)) {
                e.printStackTrace();
            }
            exit = 1;
        }
        System.exit(exit);
    }

    /** The configured command line (also used by tests to run commands in-process). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler());
    }
}
