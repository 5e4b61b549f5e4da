package membank.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.ContextReader;
import membank.context.CrossSessionRecall;
import membank.model.MemoryLM;
import membank.util.AtomicFile;
import membank.util.Machine;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-session recall: session 1 states the facts of --people people the model never saw, one",
                "exchange each, read into a fresh context bank; session 2 asks every fact after enough filler that",
                "session 1 has left the attention window. Prints accuracy with the context bank, without it, with the",
                "raw session-1 text in context (the upper bound) and after consolidation halved the bank, plus bank",
                "bytes per remembered token and retrieval latency."},
        footer = {"", "Examples:",
                "  membank context eval --model runs/small-context",
                "  membank context eval --model runs/small-context --people 50 --report docs/results-context.md"})
final class ContextEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model with a context encoder.")
    Path model;

    @Option(names = "--people", paramLabel = "N", defaultValue = "20", description = "People introduced in session 1 (default: ${DEFAULT-VALUE}).")
    int people;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "4242",
            description = "Knowledge seed of those people; keep it apart from training seeds (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--window", paramLabel = "N", description = "Attention window in tokens (default: the model's training seq_len).")
    Integer window;

    @Option(names = "--segment-length", paramLabel = "N", defaultValue = "256",
            description = "Tokens compressed per segment (default: ${DEFAULT-VALUE}).")
    int segmentLength;

    @Option(names = "--read-limit", paramLabel = "K", description = "Context vectors read per question (default: the model's read_limit).")
    Integer readLimit;

    @Option(names = "--probe", paramLabel = "N", defaultValue = "8", description = "Clusters retrieval searches per question (default: ${DEFAULT-VALUE}).")
    int probe;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the table, command and machine as Markdown to FILE.")
    Path report;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws IOException {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        MemoryLM lm = DeviceOption.onto(ModelDir.model(model), where);
        int positions = ModelDir.window(model, lm, window);
        CrossSessionRecall.Report r;
        try (var tokenizer = ModelDir.tokenizer(model)) {
            var reader = new ContextReader(lm, tokenizer, segmentLength, readLimit == null ? 0 : readLimit);
            var recall = new CrossSessionRecall(reader, new CrossSessionRecall.Options(people, seed, positions, probe));
            r = recall.run(!noProgress, spec.commandLine().getOut()::println);
        }
        String table = table(r, positions);
        spec.commandLine().getOut().print(table);
        spec.commandLine().getOut().flush();
        if (report != null) {
            String text = "# Context bank: cross-session recall\n\n" + table + "\nCommand: `membank " + String.join(" ",
                    spec.commandLine().getParseResult().originalArgs()) + "` on " + LocalDate.now() + ", "
                    + Machine.describe() + ".\n";
            AtomicFile.write(report, text);
            spec.commandLine().getOut().println("wrote " + report);
        }
        return 0;
    }

    static String table(CrossSessionRecall.Report r, int window) {
        StringBuilder s = new StringBuilder();
        s.append("| condition | recalled | accuracy | answer loss (nats/token) |\n|---|---|---|---|\n");
        for (var row : r.rows()) {
            s.append(String.format(Locale.ROOT, "| %s | %d / %d | %.1f%% | %.3f |%n", row.condition(), row.correct(),
                    row.total(), 100 * row.accuracy(), row.answerLoss()));
        }
        s.append(String.format(Locale.ROOT, "%nchance %.1f%%; attention window %d tokens; %,d session-1 tokens -> %,d context"
                        + " vectors (%,d after consolidation); %,.1f bytes per remembered token; read limit %d;"
                        + " retrieval %.3f ms per question (median)%n",
                100 * r.chance(), window, r.rememberedTokens(), r.vectors(), r.halvedVectors(), r.bytesPerToken(),
                r.readLimit(), r.retrievalMillis()));
        return s.toString();
    }
}
