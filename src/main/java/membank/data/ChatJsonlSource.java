package membank.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Conversations from JSONL files (gzip or not), one per non-blank line:
 * {@code {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}}.
 * Read line by line, never whole; a bad line stops the pass with its file and line number.
 */
public final class ChatJsonlSource {

    private final String name;
    private final List<InputFile> files;
    private final ObjectMapper mapper = new ObjectMapper();

    /** @throws IllegalArgumentException when the file is missing or has no non-blank line */
    public ChatJsonlSource(Path file) {
        this(file.toString(), List.of(InputFile.of(file, InputKind.CHAT)));
    }

    /** The files' conversations in turn, named {@code name} in messages. */
    ChatJsonlSource(String name, List<InputFile> files) {
        this.name = name;
        this.files = List.copyOf(files);
        try (Conversations all = conversations()) {
            if (!all.hasNext()) {
                throw new IllegalArgumentException("chat JSONL file " + name + " is empty: it needs lines like "
                        + "{\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, "
                        + "{\"role\": \"assistant\", \"content\": \"...\"}]}");
            }
        }
    }

    /** Starts a pass over the conversations; close it when stopping early. */
    public Conversations conversations() {
        return new Conversations(new NonBlankLines(files));
    }

    public String describe() {
        return name;
    }

    /** One pass over the conversations. */
    public final class Conversations implements Iterator<Conversation>, AutoCloseable {

        private final NonBlankLines lines;
        private String pending;

        private Conversations(NonBlankLines lines) {
            this.lines = lines;
        }

        @Override
        public boolean hasNext() {
            if (pending == null) {
                pending = lines.next();
            }
            return pending != null;
        }

        @Override
        public Conversation next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String line = pending;
            pending = null;
            return parse(line, lines.origin());
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    private Conversation parse(String line, String origin) {
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
