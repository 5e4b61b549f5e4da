package membank.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.BankConfig;
import membank.config.ChapterConfig;
import membank.config.ConfigJson;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.ParameterCount;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Batches;
import membank.data.DataInput;
import membank.data.Tokenizer;
import membank.eval.RoutingReport;
import membank.experiment.BaselineCandidate;
import membank.experiment.BaselineKind;
import membank.experiment.IsoFlopBaseline;
import membank.config.RoutingMode;
import membank.model.Checkpoint;
import membank.model.FlopCounter;
import membank.model.MemoryEstimate;
import membank.model.MemoryLM;
import membank.model.ParameterRole;
import membank.model.SafeTensors;
import membank.nn.Scope;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a model: its configuration, parameter counts and bytes per group (backbone, memory"
                        + " layers, bank), which layers read which memory bank, and the analytical FLOPs per token of each"
                        + " component, forward and backward (docs/flops.md).",
                "Works on a model directory (--model) or, without weights, on a configuration (--preset or --config,"
                        + " with --set overrides), to see what a change costs before training.",
                "With --iso-flop (models with memory): the plain transformers, deeper and wider, that cost as many"
                        + " training FLOPs per token, side by side; --write-baseline DIR saves the chosen one's config.json.",
                "With --verify DIR: checks every safetensors file in DIR and its checkpoints against its checksums.",
                "With --routing (chaptered models only): which chapters each memory layer's router picks for a text,"
                        + " per position, with a heatmap PNG per layer; with --data, chapter usage over a corpus."},
        footer = {"", "Examples:",
                "  membank inspect --model runs/small",
                "  membank inspect --preset base25m --seq-len 1024",
                "  membank inspect --preset small --set membank.sharing=per_layer \\",
                "      --set membank.layers=[0,1,2,3]",
                "  membank inspect --config experiments/wide.json",
                "  membank inspect --preset small --iso-flop --write-baseline runs/small-baseline",
                "  membank inspect --preset small --set membank.num_tokens=262144 \\",
                "      --set 'membank.chapters={\"count\":4096,\"top_k\":64}' \\",
                "      --iso-flop --baseline wider",
                "  membank inspect --verify runs/small",
                "  membank inspect --model runs/moc --routing --text \"Ada Lovelace was born in\"",
                "  membank inspect --model runs/moc --routing --text \"Ada\" --routing-mode token \\",
                "      --data corpus/valid.jsonl --max-batches 10 --out /tmp/routing"})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (config.json, model.safetensors).")
    Path model;

    @Mixin
    ConfigOptions config;

    @Option(names = "--seq-len", paramLabel = "L",
            description = "Sequence length for the FLOP count (default: training.seq_len of the config, else 256,"
                    + " at most max_position_embeddings).")
    Integer seqLen;

    @Option(names = "--batch", paramLabel = "B",
            description = "Sequences per forward pass for the FLOP count: the bank's keys and values are projected once"
                    + " per pass and shared by its tokens (default: training.batch_size of the config, else 8).")
    Integer batch;

    @Option(names = "--iso-flop", description = "Size plain transformers (no memory) that cost what this memory model"
            + " costs to train per token, within 5%%: deeper (same width) and wider (same depth).")
    boolean isoFlop;

    @Option(names = "--baseline", paramLabel = "deeper|wider",
            description = "With --iso-flop: which baseline to pick (default: deeper); refused if it misses by over 5%%.")
    String baseline;

    @Option(names = "--write-baseline", paramLabel = "DIR",
            description = "With --iso-flop: write the picked baseline's config.json into DIR (with the training block"
                    + " of the memory model's configuration, if any), to train it with --config DIR/config.json.")
    Path writeBaseline;

    @Option(names = "--routing", description = "Show the chapter choices of a chaptered model's routers (needs --model and --text, --ids or --data).")
    boolean routing;

    @ArgGroup(exclusive = true)
    RoutingText routingText;

    static final class RoutingText {
        @Option(names = "--text", paramLabel = "STRING",
                description = "With --routing: text to route, tokenized with the model's tokenizer.json (no special tokens added).")
        String text;

        @Option(names = "--ids", split = ",", paramLabel = "ID,ID,...", description = "With --routing: token ids to route as they are.")
        long[] ids;
    }

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "With --routing: a text file, a .jsonl file of {\"text\": ...} lines, a folder of them, or a .gz"
                    + " of either; chapter usage over its batches.")
    Path data;

    @Option(names = "--max-batches", paramLabel = "N",
            description = "With --data: at most N batches of training.batch_size x training.seq_len (default: 20).")
    Integer maxBatches;

    @Option(names = "--routing-mode", paramLabel = "sequence|prefix|token",
            description = "With --routing: route with this mode instead of the one the model was trained with.")
    String routingMode;

    @Option(names = "--out", paramLabel = "DIR",
            description = "With --routing: where the PNGs go (default: DIR/routing, or the current directory when DIR is not writable).")
    Path out;

    @Option(names = "--verify", paramLabel = "DIR",
            description = "Check every .safetensors file in DIR and below (checkpoints included) without building a model:"
                    + " header, sizes and each tensor's CRC32C; one line per file, exit 1 when any fails.")
    Path verify;

    /** Where --routing runs the model (the other reports compute nothing on tensors). */
    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (verify != null) {
            return VerifyFiles.verify(verify, spec.commandLine().getOut());
        }
        if (routing) {
            return inspectRouting();
        }
        if (routingText != null || data != null || maxBatches != null || routingMode != null || out != null) {
            throw new IllegalArgumentException("--text, --ids, --data, --max-batches, --routing-mode and --out belong to"
                    + " --routing: add --routing to see a chaptered model's router choices");
        }
        if (!isoFlop && (baseline != null || writeBaseline != null)) {
            throw new IllegalArgumentException("--baseline and --write-baseline belong to --iso-flop: add --iso-flop");
        }
        JsonNode root = configTree();
        ModelConfig c = ConfigJson.parseModel(root);
        TrainConfig training = ConfigJson.parseTraining(root.get("training"));
        int length = seqLen != null ? seqLen : Math.min(training.seqLen(), c.maxPositionEmbeddings());
        int sequences = batch != null ? batch : training.batchSize();
        if (length < 1 || sequences < 1) {
            throw new IllegalArgumentException(length < 1 ? "--seq-len must be >= 1, got " + length
                    : "--batch must be >= 1, got " + sequences);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (isoFlop) {
            return inspectIsoFlop(out, root, c, length, sequences);
        }
        out.println("config:");
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
        printParameters(out, new MemoryLM(c), c);
        printPlacement(out, c);
        out.println();
        FlopTables.breakdown(out, FlopCounter.count(c, length, sequences));
        MemoryEstimate memory = MemoryEstimate.training(c, sequences, length);
        out.printf(Locale.ROOT, "memory to train from scratch: about %s (%s)%n", Tables.bytes(memory.total()), MemoryCheck.parts(memory));
        out.flush();
        return 0;
    }

    /** The baselines side by side, then the picked one (refused beyond 5%) and its config.json. */
    private Integer inspectIsoFlop(PrintWriter out, JsonNode root, ModelConfig c, int length, int sequences) {
        BaselineKind kind = baseline == null ? BaselineKind.DEEPER : BaselineKind.of(baseline);
        Path target = writeBaseline == null ? null : baselineFile(writeBaseline);
        IsoFlopBaseline sized = IsoFlopBaseline.size(c, length, sequences);
        FlopTables.isoFlop(out, sized, kind);
        out.flush();
        BaselineCandidate chosen = sized.choose(kind);
        if (target != null) {
            ObjectNode tree = ConfigJson.toJson(chosen.config());
            if (root.hasNonNull("training")) {
                tree.set("training", root.get("training").deepCopy());
            }
            ConfigJson.write(target, tree);
            out.printf(Locale.ROOT, "wrote %s (%s baseline, ratio %.3f)%n", target, kind.label(), chosen.ratio());
        }
        out.flush();
        return 0;
    }

    /** DIR/config.json, refused when it exists: it may belong to weights of another shape. */
    private static Path baselineFile(Path dir) {
        Path file = dir.resolve("config.json");
        if (Files.exists(file)) {
            throw new IllegalArgumentException("--write-baseline " + dir + ": " + file + " already exists; give a new"
                    + " directory (the baseline's config.json must not replace another model's)");
        }
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--write-baseline " + dir + ": cannot create the directory: " + e.getMessage(), e);
        }
        return file;
    }

    private Integer inspectRouting() {
        if (model == null || config.source != null || !config.assignments.isEmpty() || seqLen != null || batch != null
                || isoFlop || baseline != null || writeBaseline != null) {
            throw new IllegalArgumentException("--routing inspects a trained model: give --model DIR (and no --preset,"
                    + " --config, --set, --seq-len, --batch or --iso-flop options)");
        }
        if (routingText == null && data == null) {
            throw new IllegalArgumentException("--routing needs something to route: --text STRING, --ids ID,... or --data FILE|DIR");
        }
        if (maxBatches != null && (data == null || maxBatches < 1)) {
            throw new IllegalArgumentException(data == null ? "--max-batches needs --data" : "--max-batches must be >= 1");
        }
        RoutingMode mode = routingMode == null ? null : routingMode(routingMode);
        if (data != null && !Files.exists(data)) {
            throw new IllegalArgumentException("--data " + data + ": no such file or directory (give a text file, a"
                    + " .jsonl file of {\"text\": ...} lines, a folder of them, or a .gz of either)");
        }
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        requireChapters(model);
        MemoryLM lm = DeviceOption.onto(ModelDir.model(model), where);
        lm.setInferenceRouting(mode);
        boolean needsTokenizer = data != null || routingText.text != null;
        Tokenizer tokenizer = needsTokenizer || Files.isRegularFile(model.resolve("tokenizer.json"))
                ? ModelDir.tokenizer(model) : null;
        PrintWriter w = spec.commandLine().getOut();
        ChapterConfig chapters = lm.config().membank().chapters();
        w.printf(Locale.ROOT, "routing of %s: memory layers %s, %s%n", model, lm.config().membank().layers(),
                RoutingReport.layout(chapters));
        w.printf(Locale.ROOT, "routing mode: %s%s%n", lm.routing().label(), mode == null ? " (as trained)"
                : " (--routing-mode; trained with " + chapters.routing() + ")");
        Path dir = outputDirectory();
        if (routingText != null) {
            long[] ids = routingText.ids != null ? routingText.ids
                    : Arrays.stream(tokenizer.encode(routingText.text)).asLongStream().toArray();
            String[] tokens = tokenizer != null ? RoutingReport.tokenTexts(tokenizer, ids) : null;
            w.println();
            w.printf(Locale.ROOT, "%d tokens%s%n", ids.length, routingText.text == null ? ""
                    : ": '" + RoutingReport.escape(routingText.text) + "'");
            RoutingReport.reportText(lm, ids, tokens, dir, w);
        }
        if (data != null) {
            TrainConfig t = ModelDir.training(model);
            BatchSpec shape = new BatchSpec(t.batchSize(), Math.min(t.seqLen(), lm.config().maxPositionEmbeddings()));
            w.println();
            DataInput input = DataInput.of(data);
            w.printf(Locale.ROOT, "data: %s; batches of %d x %d tokens%n", input.describe(), shape.batchSize(), shape.seqLen());
            w.flush();
            try (Batches batches = Batches.evaluation(input.documents(), tokenizer, shape)) {
                RoutingReport.reportUsage(lm, batches, maxBatches != null ? maxBatches : 20,
                        String.valueOf(data.getFileName()), dir, w);
            }
        }
        w.flush();
        return 0;
    }

    private static RoutingMode routingMode(String name) {
        try {
            return RoutingMode.of(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--routing-mode " + name + ": allowed: sequence, prefix, token");
        }
    }

    /** Refuses models without routers before loading any weights, naming what they have instead. */
    private static void requireChapters(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model " + dir + ": no such directory");
        }
        ModelConfig c = ConfigJson.parseModel(ConfigJson.read(Checkpoint.configFile(dir)));
        if (!c.hasMemory()) {
            throw new IllegalArgumentException("--routing: " + dir + " has no memory (no \"membank\" block in its"
                    + " config.json), so there are no chapters or routers to inspect");
        }
        if (c.membank().chapters() == null) {
            throw new IllegalArgumentException("--routing: " + dir + " has dense memory (membank.chapters is null):"
                    + " every memory layer reads the whole bank and there is no router to inspect; train with"
                    + " --set membank.chapters={\"count\":C,\"top_k\":K} for routed memory");
        }
    }

    /** --out, else DIR/routing, else (DIR not writable) the current directory. */
    private Path outputDirectory() {
        if (out != null) {
            try {
                Files.createDirectories(out);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--out " + out + ": cannot create the directory: " + e.getMessage(), e);
            }
            return out;
        }
        Path preferred = model.resolve("routing");
        try {
            Files.createDirectories(preferred);
            if (Files.isWritable(preferred)) {
                return preferred;
            }
        } catch (java.io.IOException | SecurityException e) {
            // fall through to the current directory
        }
        Path here = Path.of("").toAbsolutePath();
        spec.commandLine().getErr().println("note: " + model + " is not writable; writing the PNGs to " + here);
        return here;
    }

    /** config.json of --model as stored, or the --preset / --config tree with --set applied. */
    private JsonNode configTree() {
        if (model == null) {
            if (config.source == null) {
                throw new IllegalArgumentException("say what to inspect: --model DIR, --preset NAME or --config FILE");
            }
            return config.resolve(null, List.of());
        }
        if (config.source != null || !config.assignments.isEmpty()) {
            throw new IllegalArgumentException("--model inspects the configuration saved with the weights; it cannot be"
                    + " combined with --preset, --config or --set");
        }
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model " + model + ": no such directory");
        }
        return ConfigJson.read(Checkpoint.configFile(model));
    }

    /**
     * Counts come from the model the configuration builds; bytes from the stored tensors when there
     * are weights (their dtype may differ from torch_dtype), else from torch_dtype. "trainable" is
     * what training updates; "parameters" what the saved model holds, which for a quantised bank
     * is its codes plus one scale per group (its float copy exists only while training).
     */
    private void printParameters(PrintWriter out, MemoryLM lm, ModelConfig c) {
        Map<ParameterRole, Long> trainable = ParameterRole.count(lm);
        Map<ParameterRole, Long> counts = new EnumMap<>(trainable);
        if (c.hasMemory()) {
            counts.put(ParameterRole.BANK, c.membank().numBanks() * ParameterCount.bankStored(c));
        }
        Map<ParameterRole, Long> bytes = model != null ? storedBytes(model) : bytesAt(counts, c);
        out.println();
        out.println(model != null ? "parameters (bytes as stored in the checkpoint):"
                : "parameters (bytes at torch_dtype " + c.torchDtype() + ", quantised banks as their codes):");
        out.printf(Locale.ROOT, "  %-14s %15s %15s %15s%n", "group", "parameters", "trainable", "bytes");
        long totalCount = 0;
        long totalTrainable = 0;
        long totalBytes = 0;
        for (ParameterRole role : ParameterRole.values()) {
            out.printf(Locale.ROOT, "  %-14s %,15d %,15d %15s%n", label(role), counts.get(role), trainable.get(role),
                    Tables.bytes(bytes.get(role)));
            totalCount += counts.get(role);
            totalTrainable += trainable.get(role);
            totalBytes += bytes.get(role);
        }
        out.printf(Locale.ROOT, "  %-14s %,15d %,15d %15s%n", "total", totalCount, totalTrainable, Tables.bytes(totalBytes));
        if (c.hasMemory()) {
            printBankStorage(out, c, bytes.get(ParameterRole.BANK), trainable.get(ParameterRole.BANK));
        }
    }

    /** Bytes per memory token, stored and while training (float32 copy), to compare bank kinds. */
    private static void printBankStorage(PrintWriter out, ModelConfig c, long storedBytes, long trainable) {
        MemoryConfig m = c.membank();
        double tokens = (double) m.numBanks() * m.numTokens();
        out.printf(Locale.ROOT, "bank: %s, %,.1f B per memory token stored, %,.1f B while training (float32)%n",
                bankText(m), storedBytes / tokens, trainable * 4 / tokens);
    }

    private static String bankText(MemoryConfig m) {
        BankConfig b = m.bank();
        String kind = b.rank() == null ? b.kind().toString() : b.kind() + " rank " + b.rank();
        String quant = b.quant() == null ? "" : b.quant() == BankConfig.Quant.INT4
                ? ", int4 in groups of " + b.groupSize() : ", int8 per row";
        String projections = m.projectionRank() == null ? "" : ", memory projections of rank " + m.projectionRank();
        return kind + quant + projections;
    }

    private static String label(ParameterRole role) {
        return switch (role) {
            case BACKBONE -> "backbone";
            case MEMORY_LAYER -> "memory layers";
            case BANK -> "bank";
        };
    }

    /** Bytes at torch_dtype; a quantised bank's at one byte per int8 code (half for int4) and four per scale. */
    private static Map<ParameterRole, Long> bytesAt(Map<ParameterRole, Long> counts, ModelConfig c) {
        int width = c.torchDtype().bytes();
        Map<ParameterRole, Long> out = new EnumMap<>(ParameterRole.class);
        counts.forEach((role, n) -> out.put(role, n * width));
        if (c.hasMemory()) {
            out.put(ParameterRole.BANK, c.membank().numBanks() * ParameterCount.bankBytes(c, width));
        }
        return out;
    }

    private static Map<ParameterRole, Long> storedBytes(Path dir) {
        Map<ParameterRole, Long> out = new EnumMap<>(ParameterRole.class);
        for (ParameterRole role : ParameterRole.values()) {
            out.put(role, 0L);
        }
        try (Scope scope = Scope.tensors()) {
            for (Map.Entry<String, Tensor> e : SafeTensors.readCheckpoint(dir).entrySet()) {
                Tensor t = e.getValue();
                out.merge(ParameterRole.of(e.getKey()), t.numel() * t.element_size(), Long::sum);
            }
        }
        return out;
    }

    private static void printPlacement(PrintWriter out, ModelConfig c) {
        MemoryConfig m = c.membank();
        out.println();
        out.println(m == null ? "memory placement: none (no \"membank\" block)"
                : String.format(Locale.ROOT, "memory placement: %d of %d layers, %d bank(s) of %d tokens, sharing %s",
                        m.layers().size(), c.numHiddenLayers(), m.numBanks(), m.numTokens(), m.sharing()));
        out.printf(Locale.ROOT, "  %5s  %-6s  %4s  %s%n", "layer", "memory", "bank", "variant");
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            boolean memory = c.isMemoryLayer(i);
            out.printf(Locale.ROOT, "  %5d  %-6s  %4s  %s%n", i, memory ? "yes" : "no",
                    memory ? Integer.toString(m.bankIndex(i)) : "-", memory ? m.variant() : "-");
        }
    }
}
