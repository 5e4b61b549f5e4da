package membank.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.ConfigJson;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.model.Checkpoint;
import membank.model.Flops;
import membank.model.MemoryLM;
import membank.model.ParameterRole;
import membank.model.SafeTensors;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a model: its configuration, parameter counts and bytes per group (backbone, memory"
                        + " layers, bank), which layers read which memory bank, and the analytical forward FLOPs per token.",
                "Works on a model directory (--model) or, without weights, on a configuration (--preset or --config,"
                        + " with --set overrides), to see what a change costs before training."},
        footer = {"", "Examples:",
                "  membank inspect --model runs/small",
                "  membank inspect --preset base25m --seq-len 1024",
                "  membank inspect --preset small --set membank.sharing=per_layer \\",
                "      --set membank.layers=[0,1,2,3]",
                "  membank inspect --config experiments/wide.json"})
final class InspectCommand implements Callable<Integer> {
    private static final Map<String, Integer> BYTES_PER_DTYPE = Map.of("float32", 4, "bfloat16", 2, "float16", 2);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (config.json, model.safetensors).")
    Path model;

    @Mixin
    ConfigOptions config;

    @Option(names = "--seq-len", paramLabel = "L",
            description = "Sequence length for the FLOP count (default: training.seq_len of the config, else 256).")
    Integer seqLen;

    @Override
    public Integer call() throws Exception {
        JsonNode root = configTree();
        ModelConfig c = ConfigJson.parseModel(root);
        int length = seqLen != null ? seqLen : ConfigJson.parseTraining(root.get("training")).seqLen();
        if (length < 1) {
            throw new IllegalArgumentException("--seq-len must be >= 1, got " + length);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("config:");
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
        printParameters(out, new MemoryLM(c), c);
        printPlacement(out, c);
        printFlops(out, c, length);
        out.flush();
        return 0;
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
     * are weights (their dtype may differ from torch_dtype), else from torch_dtype.
     */
    private void printParameters(PrintWriter out, MemoryLM lm, ModelConfig c) {
        Map<ParameterRole, Long> counts = ParameterRole.count(lm);
        Map<ParameterRole, Long> bytes = model != null ? storedBytes(model) : bytesAt(counts, c.torchDtype());
        out.println();
        out.println(model != null ? "parameters (bytes as stored in the checkpoint):"
                : "parameters (bytes at torch_dtype " + c.torchDtype() + "):");
        out.printf(Locale.ROOT, "  %-14s %15s %15s%n", "group", "parameters", "bytes");
        long totalCount = 0;
        long totalBytes = 0;
        for (ParameterRole role : ParameterRole.values()) {
            out.printf(Locale.ROOT, "  %-14s %,15d %15s%n", label(role), counts.get(role), bytesText(bytes.get(role)));
            totalCount += counts.get(role);
            totalBytes += bytes.get(role);
        }
        out.printf(Locale.ROOT, "  %-14s %,15d %15s%n", "total", totalCount, bytesText(totalBytes));
    }

    private static String label(ParameterRole role) {
        return switch (role) {
            case BACKBONE -> "backbone";
            case MEMORY_LAYER -> "memory layers";
            case BANK -> "bank";
        };
    }

    private static Map<ParameterRole, Long> bytesAt(Map<ParameterRole, Long> counts, String dtype) {
        Map<ParameterRole, Long> out = new EnumMap<>(ParameterRole.class);
        counts.forEach((role, n) -> out.put(role, n * BYTES_PER_DTYPE.getOrDefault(dtype, 4)));
        return out;
    }

    private static Map<ParameterRole, Long> storedBytes(Path dir) {
        Map<ParameterRole, Long> out = new EnumMap<>(ParameterRole.class);
        for (ParameterRole role : ParameterRole.values()) {
            out.put(role, 0L);
        }
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : SafeTensors.readCheckpoint(dir).entrySet()) {
                Tensor t = e.getValue();
                out.merge(ParameterRole.of(e.getKey()), t.numel() * t.element_size(), Long::sum);
            }
        }
        return out;
    }

    private static String bytesText(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        }
        return bytes + " B";
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

    private static void printFlops(PrintWriter out, ModelConfig c, int length) {
        double perToken = Flops.forward(c, 1, length) / length;
        out.println();
        out.printf(Locale.ROOT, "forward FLOPs per token at seq_len %d: %s (training step: 3x)%n", length, flopsText(perToken));
    }

    private static String flopsText(double flops) {
        if (flops >= 1e9) {
            return String.format(Locale.ROOT, "%.3f GFLOP", flops / 1e9);
        }
        if (flops >= 1e6) {
            return String.format(Locale.ROOT, "%.3f MFLOP", flops / 1e6);
        }
        if (flops >= 1e3) {
            return String.format(Locale.ROOT, "%.1f KFLOP", flops / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f FLOP", flops);
    }
}
