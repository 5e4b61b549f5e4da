package membank.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
                    + " a folder of .txt files or a .jsonl file)");
        }
        String kind = Files.isDirectory(path) ? "text" : "jsonl";
        return List.of("training.data.kind=" + kind, "training.data.path=" + path);
    }
}
