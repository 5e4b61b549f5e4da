package membank.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Plain-text files (gzip or not), one document per file. Only the file list is held; each file is
 * streamed, and a file longer than {@code maxChars} characters comes out as several consecutive
 * documents cut at line breaks, so one huge file never has to fit in memory.
 */
final class FolderSource implements TextSource {

    static final int MAX_CHARS = 1 << 20;

    private final String name;
    private final List<InputFile> files;
    private final int maxChars;

    FolderSource(String name, List<InputFile> files, int maxChars) {
        this.name = name;
        this.files = List.copyOf(files);
        this.maxChars = maxChars;
    }

    @Override
    public Documents documents(int epoch) {
        return new AbstractDocuments() {
            private int nextFile;
            private ChunkReader reader;

            @Override
            String computeNext() {
                while (true) {
                    if (reader == null) {
                        if (nextFile == files.size()) {
                            return null;
                        }
                        reader = new ChunkReader(files.get(nextFile++), maxChars);
                    }
                    String chunk = reader.next();
                    if (chunk != null) {
                        return chunk;
                    }
                    reader.close();
                    reader = null;
                }
            }

            @Override
            public void close() {
                if (reader != null) {
                    reader.close();
                    reader = null;
                }
            }
        };
    }

    @Override
    public String describe() {
        return name;
    }

    /** Reads one file in pieces of at most maxChars, cut after the last line break in each piece. */
    static final class ChunkReader implements AutoCloseable {
        private final Path file;
        private final BufferedReader in;
        private final char[] buf;
        private int filled;
        private boolean eof;

        ChunkReader(InputFile file, int maxChars) {
            this.file = file.path();
            this.buf = new char[maxChars];
            this.in = file.open();
        }

        /** The next piece, or null when the file is done. */
        String next() {
            fill();
            if (filled == 0) {
                return null;
            }
            int cut = eof ? filled : cutPoint();
            String piece = new String(buf, 0, cut);
            System.arraycopy(buf, cut, buf, 0, filled - cut);
            filled -= cut;
            return piece;
        }

        private void fill() {
            try {
                while (!eof && filled < buf.length) {
                    int n = in.read(buf, filled, buf.length - filled);
                    if (n < 0) {
                        eof = true;
                    } else {
                        filled += n;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + file
                        + " (is it UTF-8 text? A file with a few stray bytes reads with"
                    + " training.data.utf8_errors=replace)", e);
            }
        }

        /** After the last newline; with none, anywhere that does not split a surrogate pair. */
        private int cutPoint() {
            for (int i = filled - 1; i > 0; i--) {
                if (buf[i] == '\n') {
                    return i + 1;
                }
            }
            return Character.isHighSurrogate(buf[filled - 1]) ? filled - 1 : filled;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file, e);
            }
        }
    }
}
