package membank.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import membank.data.ByteTokenizer;
import membank.data.Tokenizer;
import membank.data.WordTokenizer;
import membank.util.AtomicFile;
import membank.util.Directories;

/**
 * A run's {@code training.data.tokenizer}: {@code "byte"} (membank's byte-level tokenizer),
 * {@code "word"} (the knowledge set's word-level tokenizer) or the path of a tokenizer.json (or of the folder holding it). It is loaded from a copy standing alone,
 * as it will stand in the run directory, so that its special tokens come from tokenizer.json alone;
 * the run directory gets its copy only once the run's checks have passed.
 */
final class RunTokenizer {
    private RunTokenizer() {
    }

    static Tokenizer load(String spec) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("membank-tokenizer");
            Path copy = scratch.resolve("tokenizer.json");
            copyInto(spec, scratch);
            return Tokenizer.load(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch copy of the tokenizer " + spec, e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /** Writes (byte, word) or copies the tokenizer to {@code dir}/tokenizer.json. */
    static void copyInto(String spec, Path dir) {
        Path target = dir.resolve("tokenizer.json");
        try {
            Files.createDirectories(dir);
            if ("byte".equals(spec)) {
                ByteTokenizer.write(target);
                return;
            }
            if ("word".equals(spec)) {
                WordTokenizer.write(target);
                return;
            }
            Path file = source(spec);
            if (!file.toAbsolutePath().equals(target.toAbsolutePath())) {
                AtomicFile.copy(file, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static Path source(String spec) {
        Path path = Path.of(spec);
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("training.data.tokenizer: " + file + " not found; give"
                    + " \"byte\", \"word\" or the path of a Hugging Face tokenizer.json");
        }
        return file;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            // A scratch copy left in the temporary directory harms nothing.
        }
    }
}
