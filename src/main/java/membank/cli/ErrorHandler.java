package membank.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import membank.config.ConfigException;
import membank.context.ContextStoreException;
import membank.dist.RankFailure;
import membank.model.CheckpointException;
import membank.train.AfterTrainingException;
import membank.nn.NativeError;
import membank.train.NonFiniteLossException;
import membank.util.Machine;

/**
 * Bad input and libtorch failures (out of memory above all) end with one clear line on stderr;
 * {@code --verbose} adds the stack trace, native frames included. Exit code 1 for what the user can
 * change; 2, with the trace, for unexpected failures, since those are bugs worth reporting.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    static final String VERBOSE = "--verbose";

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String command = cmd.getCommandSpec().qualifiedName();
        boolean verbose = isVerbose(parsed);
        if (e instanceof AfterTrainingException after) {
            // Where the trained result is comes first, whatever failed after it.
            err.println(command + ": " + e.getMessage());
            Throwable cause = after.getCause();
            boolean expected = NativeError.in(after).isPresent() || cause instanceof Exception c && isUserError(c);
            if (!expected || verbose) {
                cause.printStackTrace(err);
            }
            return expected ? 1 : 2;
        }
        if (e instanceof RankFailure) {
            // a lost peer reaches us through c10d's native error, but it is no libtorch bug
            err.println(command + ": " + e.getMessage());
            printTraceIf(verbose, e, err);
            return 1;
        }
        Optional<NativeError> nativeError = NativeError.in(e);
        if (nativeError.isPresent()) {
            NativeError n = nativeError.get();
            err.println(command + ": " + (n.outOfMemory() ? outOfMemory(n) : nativeFailure(n))
                    + (verbose ? "" : "; --verbose shows the native trace"));
            printTraceIf(verbose, e, err);
            return n.outOfMemory() ? 1 : 2;
        }
        if (isUserError(e)) {
            err.println(command + ": " + e.getMessage());
            printTraceIf(verbose, e, err);
            return 1;
        }
        e.printStackTrace(err);
        return 2;
    }

    private static String outOfMemory(NativeError n) {
        String asked = n.requestedBytes().isPresent() ? "libtorch could not allocate " + Tables.bytes(n.requestedBytes().getAsLong())
                : "libtorch ran out of memory (" + n.headline() + ")";
        return "out of memory" + during(n) + ": " + asked + " (this machine has " + Tables.bytes(Machine.availableMemory())
                + " available); make the model or its bank smaller (membank.num_tokens, hidden_size, num_hidden_layers) or"
                + " lower training.batch_size or training.seq_len";
    }

    private static String nativeFailure(NativeError n) {
        return "libtorch failed" + during(n) + ": " + n.headline() + "; if the input is valid this is a bug: report it with"
                + " the output of the same command with --verbose";
    }

    private static String during(NativeError n) {
        return n.doing() == null ? "" : " while " + n.doing();
    }

    private static void printTraceIf(boolean verbose, Exception e, PrintWriter err) {
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    /** Whether --verbose was given, on the top command or any subcommand (it is inherited by all). */
    private static boolean isVerbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUserError(Exception e) {
        return e instanceof ConfigException || e instanceof CheckpointException || e instanceof ContextStoreException
                || e instanceof IllegalArgumentException
                || e instanceof NonFiniteLossException || e instanceof UncheckedIOException
                || e instanceof java.io.IOException || e instanceof IllegalStateException;
    }
}
