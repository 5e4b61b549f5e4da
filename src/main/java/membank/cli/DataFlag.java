package membank.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;

import membank.data.DataInput;
import membank.data.InputKind;
import membank.train.Corpus;

/** Turns --data knowledge|PATH into the training.data keys it stands for, and states in the log what was found. */
final class DataFlag {
    static final String HELP = "'knowledge' (the synthetic knowledge set), a text file, a .jsonl file of {\"text\": ...} or"
            + " {\"messages\": [...]} lines, a folder of them, or a .gz of either";

    private DataFlag() {
    }

    /** The kind comes from what the path holds; a split chosen for other data is dropped. */
    static List<String> assignments(String data) {
        if ("knowledge".equals(data)) {
            return List.of("training.data.kind=knowledge", "training.data.split=null");
        }
        DataInput input = DataInput.of(existing(data));
        String kind = input.isChat() ? "chat"
                : input.files().stream().allMatch(f -> f.kind() == InputKind.JSONL) ? "jsonl" : "text";
        return List.of("training.data.kind=" + kind, "training.data.path=" + input.path(), "training.data.split=null");
    }

    static Path existing(String data) {
        Path path = Path.of(data);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--data " + data + ": no such file or directory (give " + HELP + ")");
        }
        return path;
    }

    /** The "data: ..." line on stderr: what was found, its kind and size, and the validation split. */
    static void log(CommandSpec spec, Corpus corpus) {
        log(spec, corpus.description());
    }

    static void log(CommandSpec spec, String description) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("data: " + description);
        err.flush();
    }
}
