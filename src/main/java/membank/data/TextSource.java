package membank.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A corpus of documents read one at a time, never whole: a folder of {@code .txt} files, a
 * JSONL file of {@code {"text": ...}} lines, or strings in memory. Each call to
 * {@link #documents(int)} starts a new pass; the epoch number lets in-memory sources reshuffle
 * or re-render, while files give the same documents every epoch.
 */
public interface TextSource {

    /** Starts a pass over the documents for the given epoch (0-based). */
    Documents documents(int epoch);

    /** Names the source in messages, e.g. the path. */
    String describe();

    /**
     * Documents whose index {@code i} in source order (before any shuffle) has
     * {@code i % every == every - 1} when {@code validation}, and all others when not, so the two
     * halves never share a document. Prefer {@link TrainValidation#everyKth}.
     */
    default TextSource holdOut(int every, boolean validation) {
        return new FilteredSource(this, every, validation);
    }

    /** A seeded order that changes each epoch; only sources held in memory can do this. */
    default TextSource shuffled(long seed) {
        throw new UnsupportedOperationException(describe() + " is streamed from disk and cannot be "
                + "shuffled; shuffle in-memory sources (TextSource.of) or shuffle the files beforehand");
    }

    /**
     * A directory (recursive {@code .txt} files), a {@code .jsonl} / {@code .json} file, or a
     * single text file.
     *
     * @throws IllegalArgumentException when the path does not exist or holds no text
     */
    static TextSource open(Path path) {
        if (Files.isDirectory(path)) {
            return folder(path);
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return jsonl(path);
        }
        return FolderSource.singleFile(path);
    }

    /** Every {@code .txt} file under {@code dir}, recursively, in sorted path order; one document per file. */
    static TextSource folder(Path dir) {
        return FolderSource.of(dir);
    }

    /** One document per non-blank line, from the line's {@code "text"} string; other fields are ignored. */
    static TextSource jsonl(Path file) {
        return new JsonlSource(file);
    }

    /** Documents in memory, in the given order (see {@link #shuffled}). */
    static TextSource of(List<String> documents) {
        return of("in-memory corpus", documents);
    }

    static TextSource of(String name, List<String> documents) {
        List<String> copy = List.copyOf(documents);
        return new InMemorySource(name, epoch -> copy);
    }

    /** Documents rendered anew for each epoch (e.g. the knowledge set's varying templates). */
    static TextSource rendered(String name, IntFunction<List<String>> documentsForEpoch) {
        return new InMemorySource(name, documentsForEpoch);
    }
}
