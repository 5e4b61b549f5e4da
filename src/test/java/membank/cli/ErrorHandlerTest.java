package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import membank.nn.NativeError;

/** libtorch's errors reach the user as one line naming what was being done; the native trace only with --verbose. */
class ErrorHandlerTest {

    private static String handle(RuntimeException e, int expectedExit, String... args) {
        CommandLine main = Main.commandLine();
        StringWriter err = new StringWriter();
        main.setErr(new PrintWriter(err));
        ParseResult parsed = main.parseArgs(args);
        CommandLine train = main.getSubcommands().get("train");
        train.setErr(new PrintWriter(err));
        int exit = new ErrorHandler().handleExecutionException(e, train, parsed);
        assertEquals(expectedExit, exit, err.toString());
        return err.toString();
    }

    private static RuntimeException impossibleAllocation() {
        try {
            // a petabyte is beyond any address space, so the allocator refuses at once and touches nothing
            NativeError.during("building a test tensor", () -> torch.empty(new long[] {1L << 48},
                    new TensorOptions(ScalarType.Float), new MemoryFormatOptional()));
            throw new AssertionError("a petabyte was allocated");
        } catch (NativeError e) {
            return e;
        }
    }

    @Test
    void outOfMemoryIsOneLineWithWhatWasAllocatedAndWhatToChange() {
        String err = handle(impossibleAllocation(), 1, "train", "--preset", "tiny");
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("membank train: out of memory while building a test tensor: libtorch could not allocate "), err);
        assertTrue(err.contains("GiB available") && err.contains("membank.num_tokens") && err.contains("--verbose"), err);
        assertFalse(err.contains("frame #"), err);
    }

    @Test
    void otherNativeFailuresAreOneLineWithLibtorchsMessage() {
        RuntimeException e;
        try {
            torch.ones(2, 3).matmul(torch.ones(4, 5));
            throw new AssertionError("mismatched shapes multiplied");
        } catch (RuntimeException native_) {
            e = new IllegalStateException("wrapped on the way up", native_);
        }
        String err = handle(e, 2, "train", "--preset", "tiny");
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("libtorch failed: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"), err);
    }

    @Test
    void verboseAddsTheNativeTrace() {
        String err = handle(impossibleAllocation(), 1, "--verbose", "train", "--preset", "tiny");
        assertTrue(err.lines().findFirst().orElseThrow().startsWith("membank train: out of memory while building a test tensor"), err);
        assertTrue(err.contains("frame #") && err.contains("at membank.nn.NativeError.during"), err);
        String afterCommand = handle(impossibleAllocation(), 1, "train", "--preset", "tiny", "--verbose");
        assertTrue(afterCommand.contains("frame #"), afterCommand);
    }
}
