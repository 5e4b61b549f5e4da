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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Conversations from a JSONL file, one per non-blank line:
 * {@code {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}}.
 * Read line by line, never whole; a bad line stops the pass with its file and line number.
 */
public final class ChatJsonlSource {

    private final Path file;
    private final ObjectMapper mapper = new ObjectMapper();

    /** @throws IllegalArgumentException when the file is missing or has no non-blank line */
    public ChatJsonlSource(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("chat JSONL file not found: " + file);
        }
        this.file = file;
        try (Conversations all = conversations()) {
            if (!all.hasNextLine()) {
                throw new IllegalArgumentException("chat JSONL file " + file + " is empty: it needs lines like "
                        + "{\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, "
                        + "{\"role\": \"assistant\", \"content\": \"...\"}]}");
            }
        }
    }

    /** Starts a pass over the file; close it when stopping early. */
    public Conversations conversations() {
        try {
            return new Conversations(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open chat JSONL file " + file, e);
        }
    }

    public String describe() {
        return file.toString();
    }

    /** One pass over the file's conversations. */
    public final class Conversations implements Iterator<Conversation>, AutoCloseable {

        private final BufferedReader in;
        private long lineNumber;
        private String pending;

        private Conversations(BufferedReader in) {
            this.in = in;
        }

        /** Reads ahead to the next non-blank line, without parsing it. */
        private boolean hasNextLine() {
            try {
                while (pending == null) {
                    String line = in.readLine();
                    if (line == null) {
                        return false;
                    }
                    lineNumber++;
                    pending = line.isBlank() ? null : line;
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(file + " line " + (lineNumber + 1) + ": cannot read", e);
            }
        }

        @Override
        public boolean hasNext() {
            return hasNextLine();
        }

        @Override
        public Conversation next() {
            if (!hasNextLine()) {
                throw new NoSuchElementException();
            }
            String line = pending;
            pending = null;
            return parse(line, lineNumber);
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

    private Conversation parse(String line, long lineNumber) {
        String origin = file + " line " + lineNumber;
        JsonNode root;
        try {
            root = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(origin, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode messages = root == null || !root.isObject() ? null : root.get("messages");
        if (messages == null) {
            throw bad(origin, "expected an object with \"messages\": [{\"role\": ..., \"content\": ...}, ...]");
        }
        if (!messages.isArray()) {
            throw bad(origin, "\"messages\" must be a list, got " + messages.getNodeType());
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(messages.get(i), i, origin));
        }
        try {
            return new Conversation(out, origin);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; fix or remove that line", e);
        }
    }

    private ChatMessage message(JsonNode node, int index, String origin) {
        String which = "message " + index;
        if (!node.isObject()) {
            throw bad(origin, which + " is not an object with \"role\" and \"content\"");
        }
        JsonNode role = node.get("role");
        if (role == null || !role.isTextual()) {
            throw bad(origin, which + " has no string \"role\"");
        }
        if (!ChatMessage.ROLES.contains(role.asText())) {
            throw bad(origin, which + ": " + ChatMessage.roleProblem(role.asText()));
        }
        JsonNode content = node.get("content");
        if (content == null || !content.isTextual()) {
            throw bad(origin, which + " (" + role.asText() + ") has no string \"content\""
                    + (content != null && content.isArray() ? " (lists of content parts are not supported)" : ""));
        }
        return new ChatMessage(role.asText(), content.asText());
    }

    private static IllegalArgumentException bad(String origin, String what) {
        return new IllegalArgumentException(origin + ": " + what + "; fix or remove that line");
    }
}
