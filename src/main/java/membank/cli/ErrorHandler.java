package membank.cli;

import java.io.UncheckedIOException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import membank.config.ConfigException;
import membank.context.ContextStoreException;
import membank.model.CheckpointException;
import membank.train.AfterTrainingException;
import membank.train.NonFiniteLossException;

/**
 * Bad input ends with one clear line on stderr and exit code 1; unexpected failures keep their
 * stack trace, since those are bugs worth reporting.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        if (e instanceof AfterTrainingException after) {
            // Where the trained result is comes first, whatever failed after it.
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            if (!(after.getCause() instanceof Exception cause && isUserError(cause))) {
                after.getCause().printStackTrace(cmd.getErr());
                return 2;
            }
            return 1;
        }
        if (isUserError(e)) {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            return 1;
        }
        e.printStackTrace(cmd.getErr());
        return 2;
    }

    private static boolean isUserError(Exception e) {
        return e instanceof ConfigException || e instanceof CheckpointException || e instanceof ContextStoreException
                || e instanceof IllegalArgumentException
                || e instanceof NonFiniteLossException || e instanceof UncheckedIOException
                || e instanceof java.io.IOException || e instanceof IllegalStateException;
    }
}
