package membank.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * One file of a corpus: what it holds and whether it is gzip-compressed (told by its first two
 * bytes, whatever its name). Opened as a stream of UTF-8 text, decompressed on the fly, never
 * read whole.
 *
 * @param bytes the size on disk (compressed, for gzip)
 */
public record InputFile(Path path, InputKind kind, boolean gzip, long bytes, boolean replaceInvalid) {
    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    /**
     * The kind from the name where it says ({@code .txt}: plain text; {@code .jsonl}, {@code .json}:
     * JSONL, text or chat by the first record), under an optional {@code .gz}; otherwise from the
     * content: a first record that is a JSON object with "messages" is chat, with "text" JSONL text,
     * and anything that is not a JSON object plain text.
     *
     * @throws IllegalArgumentException when the file is missing, unreadable, or a JSON object with neither key
     */
    static InputFile detect(Path file) {
        InputFile raw = of(file, InputKind.TEXT);
        String name = raw.innerName();
        if (name.endsWith(".txt")) {
            return raw;
        }
        // Sniffing the kind reads past stray bytes; whether they may be read is the corpus reader's call.
        FirstRecord first = FirstRecord.of(raw.replacingInvalid());
        boolean named = name.endsWith(".jsonl") || name.endsWith(".json");
        if (first == FirstRecord.MESSAGES) {
            return raw.as(InputKind.CHAT);
        }
        if (named || first == FirstRecord.TEXT) {
            return raw.as(InputKind.JSONL);
        }
        if (first == FirstRecord.OTHER_OBJECT) {
            throw new IllegalArgumentException(file + " starts with a JSON object that has neither \"text\" nor"
                    + " \"messages\": JSONL data needs {\"text\": ...} or {\"messages\": [...]} lines (plain text"
                    + " would be trained on as it is: name the file .txt)");
        }
        return raw;
    }

    /** A file whose kind the caller knows. */
    static InputFile of(Path file, InputKind kind) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("corpus file not found: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("corpus file " + file + " is not readable: check its permissions");
        }
        try {
            return new InputFile(file, kind, isGzip(file), Files.size(file), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + file, e);
        }
    }

    InputFile as(InputKind other) {
        return new InputFile(path, other, gzip, bytes, replaceInvalid);
    }

    /** The same file read with bytes that are not UTF-8 turned into U+FFFD. */
    InputFile replacingInvalid() {
        return new InputFile(path, kind, gzip, bytes, true);
    }

    /** Whether a folder's file is part of its corpus: {@code .txt} or {@code .jsonl}, either optionally {@code .gz}. */
    static boolean isCorpusName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String inner = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        return inner.endsWith(".txt") || inner.endsWith(".jsonl");
    }

    /** The lower-case file name without the {@code .gz} of a gzip file. */
    String innerName() {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return gzip && name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    /**
     * The text, decompressed when gzip; bytes that are not UTF-8 fail the read rather than turn into
     * U+FFFD, unless the file was made {@link #replacingInvalid()}.
     */
    BufferedReader open() {
        try {
            InputStream in = Files.newInputStream(path);
            if (gzip) {
                in = new GZIPInputStream(new BufferedInputStream(in));
            }
            var decoder = StandardCharsets.UTF_8.newDecoder();
            if (replaceInvalid) {
                decoder.onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
            }
            return new BufferedReader(new InputStreamReader(in, decoder));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open corpus file " + path + (gzip ? " (gzip)" : ""), e);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == GZIP_MAGIC_1 && in.read() == GZIP_MAGIC_2;
        }
    }
}
