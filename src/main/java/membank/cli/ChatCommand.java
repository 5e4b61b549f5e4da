package membank.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.ChatSession;
import membank.context.ContextReader;
import membank.context.FileContextStore;
import membank.model.MemoryLM;

@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A terminal chat with a user's context bank: each line you type is answered (streamed), reading",
                "what retrieval finds for it in your bank; the exchange is then compressed into the bank, which is",
                "saved, so a later chat remembers it far beyond the attention window. The model needs a context",
                "encoder (membank context train). Commands: /stats, /forget (empties your bank), /quit (or end of input)."},
        footer = {"", "Examples:",
                "  membank chat --model runs/small-context --user alice",
                "  echo 'Ada Lindqvist was born in Lisbon.' | membank chat --model runs/small-context --user alice"})
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model with a context encoder.")
    Path model;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose context bank to read and extend.")
    String user;

    @Mixin
    StoreOption store = new StoreOption();

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "64", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--window", paramLabel = "N",
            description = "Tokens of this conversation kept in the attention window (default: the model's training seq_len).")
    Integer window;

    @Option(names = "--segment-length", paramLabel = "N", defaultValue = "256",
            description = "Tokens compressed per segment when an exchange is remembered (default: ${DEFAULT-VALUE}).")
    int segmentLength;

    @Option(names = "--probe", paramLabel = "N", defaultValue = "8", description = "Clusters retrieval searches per turn (default: ${DEFAULT-VALUE}).")
    int probe;

    @Option(names = "--capacity", paramLabel = "N", defaultValue = "100000",
            description = "Most vectors the bank keeps; past it the most similar pairs merge (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Mixin
    ImportanceOptions importance = new ImportanceOptions();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws IOException {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        MemoryLM lm = DeviceOption.onto(ModelDir.model(model), where);
        int positions = ModelDir.window(model, lm, window);
        FileContextStore banks = store.open();
        var options = new ChatSession.Options(maxTokens, temperature, topP, seed, positions, probe,
                importance.config(capacity));
        PrintWriter out = spec.commandLine().getOut();
        try (var tokenizer = ModelDir.tokenizer(model);
             ChatSession chat = new ChatSession(new ContextReader(lm, tokenizer, segmentLength), banks, user, options)) {
            out.println("membank chat: user " + user + ", " + chat.stats().describe() + " (bank in " + banks.describe() + ")");
            out.println("Type a line; /stats, /forget, /quit.");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = prompt(in, out); line != null; line = prompt(in, out)) {
                switch (line.strip()) {
                    case "" -> { }
                    case "/quit", "/exit" -> {
                        return 0;
                    }
                    case "/stats" -> out.println(chat.stats().describe());
                    case "/forget" -> {
                        chat.forget();
                        out.println("forgot everything of user " + user);
                    }
                    default -> {
                        chat.reply(line, text -> {
                            out.print(text);
                            out.flush();
                        });
                        out.println();
                    }
                }
                out.flush();
            }
        }
        return 0;
    }

    private static String prompt(BufferedReader in, PrintWriter out) throws IOException {
        out.print("> ");
        out.flush();
        return in.readLine();
    }
}
