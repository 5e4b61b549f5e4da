package membank.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a {@code --data} path holds: a text file, a JSONL file of texts or of conversations, a folder
 * of such files (recursively; {@code .txt} and {@code .jsonl} files, other files ignored), each gzip
 * or not. The kind of each file comes from its name where the name says, else from its content.
 *
 * @param ignored files of a folder that are neither {@code .txt} nor {@code .jsonl}
 */
public record DataInput(Path path, List<InputFile> files, int ignored) {

    /** @throws IllegalArgumentException when the path is missing, holds no text, or mixes conversations with documents */
    public static DataInput of(Path path) {
        if (Files.isDirectory(path)) {
            return folder(path);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("corpus not found: " + path + " (give a text file, a .jsonl file, a folder"
                    + " of them, or a .gz of either)");
        }
        InputFile file = InputFile.detect(path);
        if (file.bytes() == 0) {
            throw new IllegalArgumentException("corpus file " + path + " is empty");
        }
        return new DataInput(path, List.of(file), 0);
    }

    private static DataInput folder(Path dir) {
        List<Path> all = list(dir);
        List<Path> named = all.stream().filter(InputFile::isCorpusName).toList();
        // Empty files add no document; leaving them out keeps an empty .jsonl from failing the folder.
        List<InputFile> files = named.stream().filter(DataInput::nonEmpty).map(InputFile::detect).toList();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("corpus folder " + dir + " has no non-empty .txt or .jsonl file (looked"
                    + " recursively, .gz of either included): put text files there or pass a file");
        }
        List<InputFile> chats = files.stream().filter(f -> f.kind() == InputKind.CHAT).toList();
        if (!chats.isEmpty() && chats.size() < files.size()) {
            InputFile text = files.stream().filter(f -> f.kind() != InputKind.CHAT).findFirst().orElseThrow();
            throw new IllegalArgumentException("corpus folder " + dir + " mixes conversations (" + chats.get(0).path()
                    + ", chat JSONL) with documents (" + text.path() + ", " + text.kind().label() + "): chat trains on"
                    + " assistant replies only, so put the two kinds in separate folders");
        }
        return new DataInput(dir, files, all.size() - named.size());
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + file, e);
        }
    }

    /** Regular files under {@code dir}, in sorted relative-path order (the order documents come in). */
    private static List<Path> list(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(p -> dir.relativize(p).toString()))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list corpus folder " + dir, e);
        }
    }

    /** The same files, read with bytes that are not UTF-8 turned into U+FFFD ({@code training.data.utf8_errors=replace}). */
    public DataInput replacingInvalidUtf8() {
        return new DataInput(path, files.stream().map(InputFile::replacingInvalid).toList(), ignored);
    }

    /** Conversations (every file chat JSONL) rather than documents. */
    public boolean isChat() {
        return files.get(0).kind() == InputKind.CHAT;
    }

    /** The documents, in file order; a folder of plain text files gives one document per file as before. */
    public TextSource documents() {
        if (isChat()) {
            throw new IllegalArgumentException(path + " holds conversations ({\"messages\": [...]} lines), not"
                    + " documents: train on it with kind \"chat\" (--data does this), or give plain text or"
                    + " {\"text\": ...} lines");
        }
        if (files.stream().allMatch(f -> f.kind() == InputKind.TEXT)) {
            return new FolderSource(path.toString(), files, FolderSource.MAX_CHARS);
        }
        List<TextSource> parts = files.stream().map(DataInput::documents).toList();
        return parts.size() == 1 ? parts.get(0) : new ConcatSource(path.toString(), parts);
    }

    private static TextSource documents(InputFile file) {
        return file.kind() == InputKind.TEXT ? new FolderSource(file.path().toString(), List.of(file), FolderSource.MAX_CHARS)
                : new JsonlSource(file);
    }

    /** The conversations of chat JSONL files. */
    public ChatJsonlSource conversations() {
        if (!isChat()) {
            throw new IllegalArgumentException(path + " holds documents (" + kinds() + "), not conversations: chat"
                    + " data needs {\"messages\": [...]} lines");
        }
        return new ChatJsonlSource(path.toString(), files);
    }

    /** For the run's log, e.g. "notes.txt: plain text, 1 file, 4.2 KB". */
    public String describe() {
        long gzip = files.stream().filter(InputFile::gzip).count();
        long bytes = files.stream().mapToLong(InputFile::bytes).sum();
        String count = files.size() == 1 ? "1 file" : String.format(Locale.ROOT, "%,d files", files.size());
        return path + ": " + kinds() + (gzip == 0 ? "" : gzip == files.size() ? " (gzip)" : " (" + gzip + " gzip)")
                + ", " + count + ", " + size(bytes) + (ignored == 0 ? "" : String.format(Locale.ROOT,
                "; %,d other file%s ignored (not .txt or .jsonl)", ignored, ignored == 1 ? "" : "s"));
    }

    private String kinds() {
        return files.stream().map(f -> f.kind().label()).distinct().collect(Collectors.joining(" and "));
    }

    /** Decimal units, as file managers show sizes. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
