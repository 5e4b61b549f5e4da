package membank.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The non-blank lines of one or more files in turn, each with the file and line it came from. */
final class NonBlankLines implements AutoCloseable {
    private final List<InputFile> files;
    private int nextFile;
    private InputFile current;
    private BufferedReader in;
    private long lineNumber;

    NonBlankLines(List<InputFile> files) {
        this.files = List.copyOf(files);
    }

    /** The next non-blank line, or null after the last file. */
    String next() {
        while (true) {
            if (in == null) {
                if (nextFile == files.size()) {
                    return null;
                }
                current = files.get(nextFile++);
                in = current.open();
                lineNumber = 0;
            }
            String line = readLine();
            if (line == null) {
                close();
            } else if (!line.isBlank()) {
                return line;
            }
        }
    }

    private String readLine() {
        try {
            String line = in.readLine();
            if (line != null) {
                lineNumber++;
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(current.path() + " line " + (lineNumber + 1) + ": cannot read (is it UTF-8"
                    + (current.gzip() ? ", and a whole gzip file" : "") + "?)", e);
        }
    }

    /** Where the line last returned came from, as errors name it: "FILE line N". */
    String origin() {
        return current.path() + " line " + lineNumber;
    }

    @Override
    public void close() {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + current.path(), e);
        } finally {
            in = null;
        }
    }
}
