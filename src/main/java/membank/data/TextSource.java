package membank.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A corpus of documents read one at a time, never whole: text files, JSONL files of
 * {@code {"text": ...}} lines (gzip or not, alone or in a folder), or strings in memory. Each call to
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
     * The documents at {@code path}: a text file, a JSONL file of {"text": ...} lines, a folder of
     * such files (recursive, sorted path order), each gzip or not; see {@link DataInput}.
     *
     * @throws IllegalArgumentException when the path does not exist, holds no text or holds conversations
     */
    static TextSource open(Path path) {
        return DataInput.of(path).documents();
    }

    /** Every {@code .txt} and {@code .jsonl} file under {@code dir} (gzip or not), recursively, in sorted path order. */
    static TextSource folder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("corpus folder not found: " + dir);
        }
        return open(dir);
    }

    /** One document per non-blank line, from the line's {@code "text"} string; other fields are ignored. */
    static TextSource jsonl(Path file) {
        return new JsonlSource(InputFile.of(file, InputKind.JSONL));
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
