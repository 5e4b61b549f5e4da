package membank.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A JSONL file read line by line; each non-blank line is an object with a string "text". */
final class JsonlSource implements TextSource {

    private final Path file;
    private final ObjectMapper mapper = new ObjectMapper();

    JsonlSource(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("JSONL corpus not found: " + file);
        }
        this.file = file;
        if (!hasNonBlankLine()) {
            throw new IllegalArgumentException("JSONL corpus " + file + " is empty: it needs lines like "
                    + "{\"text\": \"...\"}");
        }
    }

    /** Reads only up to the first non-blank line, so the check costs nothing on a big file. */
    private boolean hasNonBlankLine() {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JSONL corpus " + file, e);
        }
    }

    @Override
    public Documents documents(int epoch) {
        BufferedReader in = open();
        return new AbstractDocuments() {
            private long lineNumber;

            @Override
            String computeNext() {
                try {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lineNumber++;
                        if (!line.isBlank()) {
                            return text(line, lineNumber);
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(file + " line " + (lineNumber + 1) + ": cannot read", e);
                }
            }

            @Override
            public void close() {
                try {
                    in.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot close " + file, e);
                }
            }
        };
    }

    private BufferedReader open() {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open JSONL corpus " + file, e);
        }
    }

    private String text(String line, long lineNumber) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(lineNumber, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode text = node == null ? null : node.get("text");
        if (text == null || !text.isTextual()) {
            throw bad(lineNumber, "expected an object with a string field \"text\"");
        }
        return text.asText();
    }

    private IllegalArgumentException bad(long lineNumber, String what) {
        return new IllegalArgumentException(file + " line " + lineNumber + ": " + what
                + "; fix or remove that line");
    }

    @Override
    public String describe() {
        return file.toString();
    }
}
