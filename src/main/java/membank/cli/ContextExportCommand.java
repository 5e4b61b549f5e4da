package membank.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.BankFormat;
import membank.context.ContextBank;
import membank.context.FileContextStore;
import membank.nn.Ops;
import membank.util.AtomicFile;
import membank.nn.Scope;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes one user's context bank to a file outside the store, atomically.",
                "safetensors: the bank file itself (tensors vectors, mass, references, attention, last_used;"
                        + " readable by any safetensors reader).",
                "jsonl: one object per row: {\"row\", \"mass\", \"references\", \"attention\", \"last_used\", \"vector\"}.",
                "Refuses to replace an existing file unless --force."},
        footer = {"", "Examples:", "  membank context export --user alice --out alice.safetensors",
                "  membank context export --user alice --out alice.jsonl",
                "  membank context export --user alice --out dump.txt --format jsonl --force"})
final class ContextExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose bank.")
    String user;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
    Path out;

    @Option(names = "--format", paramLabel = "safetensors|jsonl",
            description = "File format (default: jsonl when FILE ends in .jsonl, else safetensors).")
    String format;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        boolean jsonl = jsonl();
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a directory; give a file name");
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException("--out " + out + " already exists; add --force to replace it");
        }
        FileContextStore store = storeOption.open();
        ContextBank bank = store.load(user).orElseThrow(() -> StoreOption.noBank(store, user));
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFile.write(out, channel -> {
            if (jsonl) {
                writeJsonl(channel, bank);
            } else {
                BankFormat.write(channel, out.toString(), user, bank);
            }
        }, AtomicFile.BeforeRename.NOTHING);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote the context bank of user '%s' (%,d vectors of width %d)"
                + " to %s as %s, %s%n", user, bank.size(), bank.dim(), out, jsonl ? "jsonl" : "safetensors",
                Tables.bytes(Files.size(out)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private boolean jsonl() {
        if (format == null) {
            return out.getFileName().toString().endsWith(".jsonl");
        }
        return switch (format) {
            case "jsonl" -> true;
            case "safetensors" -> false;
            default -> throw new IllegalArgumentException("--format " + format + ": allowed: safetensors, jsonl");
        };
    }

    /** One JSON object per row; floats are written in their shortest exact form, so they read back bit-exact. */
    private static void writeJsonl(WritableByteChannel channel, ContextBank bank) throws IOException {
        ObjectMapper json = new ObjectMapper();
        float[] vectors;
        try (Scope scope = Scope.tensors()) {
            vectors = bank.size() == 0 ? new float[0] : Ops.floats(bank.vectors());
        }
        float[] mass = bank.massArray();
        float[] references = bank.referencesArray();
        float[] attention = bank.attentionArray();
        long[] lastUsed = bank.lastUsedArray();
        // not closed: closing would close the channel, which AtomicFile still has to fsync
        Writer writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8));
        for (int r = 0; r < bank.size(); r++) {
            ObjectNode row = json.createObjectNode();
            row.put("row", r).put("mass", mass[r]).put("references", references[r]).put("attention", attention[r])
                    .put("last_used", lastUsed[r]);
            ArrayNode vector = row.putArray("vector");
            for (int c = 0; c < bank.dim(); c++) {
                vector.add(vectors[r * bank.dim() + c]);
            }
            writer.write(json.writeValueAsString(row));
            writer.write('\n');
        }
        writer.flush();
    }
}
