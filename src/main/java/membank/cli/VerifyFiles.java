package membank.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import membank.model.CheckpointException;
import membank.model.SafeTensors;

/**
 * {@code membank inspect --verify DIR}: every safetensors file under a directory (a model, an
 * adapter, a run with its checkpoints) checked without building a model: header, sizes, and each
 * tensor's CRC32C where the file carries checksums. One line per file.
 */
final class VerifyFiles {
    private VerifyFiles() {
    }

    /** Prints a line per file and returns the exit code: 0 when every file passes, 1 otherwise. */
    static int verify(Path dir, PrintWriter out) {
        List<Path> files = safetensorsFiles(dir);
        int failed = 0;
        for (Path file : files) {
            String name = dir.relativize(file).toString();
            try {
                SafeTensors.Verified v = SafeTensors.verify(file);
                out.printf(Locale.ROOT, "ok      %s: %d tensors, %s, %s%n", name, v.tensors(), Tables.bytes(v.bytes()),
                        v.checksummed() ? "CRC32C of every tensor verified" : "no checksums in the file (header and sizes checked)");
            } catch (CheckpointException e) {
                failed++;
                out.println("FAILED  " + name + ": " + e.getMessage());
            }
        }
        out.printf(Locale.ROOT, "%d of %d file(s) in %s failed%s%n", failed, files.size(), dir,
                failed == 0 ? "" : ": restore them from a checkpoint (or the base model's source)");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private static List<Path> safetensorsFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--verify " + dir + ": no such directory");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--verify " + dir + ": no .safetensors file in it or below it; give a model,"
                        + " adapter or run directory");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
