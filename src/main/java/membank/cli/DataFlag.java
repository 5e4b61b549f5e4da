package membank.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns --data knowledge|PATH into the training.data keys it stands for. */
final class DataFlag {
    private DataFlag() {
    }

    static List<String> assignments(String data) {
        if ("knowledge".equals(data)) {
            return List.of("training.data.kind=knowledge");
        }
        Path path = Path.of(data);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--data " + data + ": no such file or directory (give 'knowledge',"
                    + " a folder of .txt files, or a .jsonl file of {\"text\": ...} or {\"messages\": [...]} lines)");
        }
        String kind = Files.isDirectory(path) ? "text" : isChat(path) ? "chat" : "jsonl";
        return List.of("training.data.kind=" + kind, "training.data.path=" + path);
    }

    /** A JSONL file whose first record has "messages" holds conversations, not documents (false for folders). */
    static boolean isChat(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (var lines = Files.lines(file)) {
            String first = lines.filter(l -> !l.isBlank()).findFirst().orElse("");
            JsonNode record = new ObjectMapper().readTree(first);
            return record != null && record.has("messages");
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
