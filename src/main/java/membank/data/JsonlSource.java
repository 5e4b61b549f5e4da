package membank.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** A JSONL file (gzip or not) read line by line; each non-blank line is an object with a string "text". */
final class JsonlSource implements TextSource {

    private final InputFile file;
    private final ObjectMapper mapper = new ObjectMapper();

    JsonlSource(InputFile file) {
        this.file = file;
        try (NonBlankLines lines = new NonBlankLines(List.of(file))) {
            if (lines.next() == null) {
                throw new IllegalArgumentException("JSONL corpus " + file.path() + " is empty: it needs lines like "
                        + "{\"text\": \"...\"}");
            }
        }
    }

    @Override
    public Documents documents(int epoch) {
        NonBlankLines lines = new NonBlankLines(List.of(file));
        return new AbstractDocuments() {
            @Override
            String computeNext() {
                String line = lines.next();
                return line == null ? null : text(line, lines.origin());
            }

            @Override
            public void close() {
                lines.close();
            }
        };
    }

    private String text(String line, String origin) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(origin, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode text = node == null ? null : node.get("text");
        if (text == null || !text.isTextual()) {
            throw bad(origin, "expected an object with a string field \"text\"");
        }
        return text.asText();
    }

    private static IllegalArgumentException bad(String origin, String what) {
        return new IllegalArgumentException(origin + ": " + what + "; fix or remove that line");
    }

    @Override
    public String describe() {
        return file.path().toString();
    }
}
