package membank.cli;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.AdapterConfig;
import membank.config.AdapterJson;
import membank.config.AdapterMethod;
import membank.config.ConfigException;
import membank.config.ConfigJson;
import membank.config.LoraConfig;
import membank.config.Overrides;
import membank.config.RunConfig;
import membank.model.Adapters;
import membank.model.Checkpoint;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.nn.Precision;
import membank.train.ModelWriter;
import membank.train.RunSummary;
import membank.train.TrainingRun;

@Command(name = "adapt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a pretrained Hugging Face Qwen2/Llama model (or a membank model without memory)",
                "with memory layers, LoRA, both, or every weight. The base stays frozen and unchanged on disk;",
                "--out receives an adapter directory (adapter_config.json + adapter_model.safetensors with only",
                "the added tensors, PEFT's layout) or, for --method full, a whole model. Apply an adapter with",
                "--adapter DIR on eval, score and generate."},
        footer = {"", "Memory is configured like in training: --set membank.num_tokens=65536 --set membank.layers=[2,6]",
                "--set 'membank.chapters={\"count\":1024,\"top_k\":8,\"routing\":\"token\"}'; training keys the same way",
                "(--set training.memory_lr=1e-3). Defaults: 4,096 memory tokens in every layer, 200 steps, lr 2e-4",
                "(LoRA, full), 1e-3 for memory layers and bank.", "", "Examples:",
                "  membank adapt --base models/Qwen2.5-0.5B --method memory --data facts.jsonl --out runs/mem",
                "  membank adapt --base runs/small-nomem --method lora --lora-r 16 --data knowledge",
                "  membank adapt --base runs/small-nomem --method memory+lora --freeze bank --steps 300",
                "  membank adapt --base runs/small-nomem --method lora --merge --out runs/lora"})
final class AdaptCommand implements Callable<Integer> {
    static final String MERGED = "merged";

    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR",
            description = "The pretrained model: a Hugging Face directory (config.json, safetensors, tokenizer.json).")
    Path base;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "memory",
            description = "memory, lora, memory+lora or full (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--data", paramLabel = "knowledge|PATH", defaultValue = "knowledge",
            description = "'knowledge' (the synthetic knowledge set), a folder of .txt files or a .jsonl file of {\"text\": ...} lines.")
    String data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/adapt-<method>).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (training.steps, default 200).")
    Integer steps;

    @Option(names = "--lora-r", paramLabel = "R", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", defaultValue = "16",
            description = "LoRA alpha; the update is scaled by alpha/r (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--lora-dropout", paramLabel = "P", defaultValue = "0.05",
            description = "Dropout on LoRA's input while training (default: ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--lora-targets", paramLabel = "NAMES", split = ",", defaultValue = "q_proj,v_proj",
            description = "Linear layers LoRA adapts, from q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default: ${DEFAULT-VALUE}).")
    List<String> loraTargets;

    @Option(names = "--freeze", paramLabel = "WHAT", defaultValue = "none",
            description = "Memory kept at its initial values: none, bank, or bank+kv (bank and memory K/V projections) (default: ${DEFAULT-VALUE}).")
    String freeze;

    @Option(names = "--merge", description = "LoRA only: also write the base with the update folded in to <out>/merged.")
    boolean merge;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16",
            description = "bf16 autocast with float32 master weights, fp32, or auto (bf16 where the CPU has it).")
    String precision;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for the added weights and the data order (training.seed).")
    Long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a membank.* or training.* key by dotted path (VALUE parsed as JSON when it parses).")
    List<String> assignments = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        AdapterMethod how = AdapterMethod.of("--method", method);
        MemoryFreeze frozen = MemoryFreeze.of(freeze);
        if (merge && how != AdapterMethod.LORA) {
            throw new IllegalArgumentException("--merge folds a LoRA update into the base; it needs --method lora, not " + method);
        }
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("--base " + base + ": no such directory");
        }
        RunConfig run = RunConfig.parse(configTree(how));
        Path dir = out != null ? out : Path.of("runs", "adapt-" + how.cliName().replace('+', '-'));
        Precision p = Precision.resolve(run.training().precision());
        manual_seed(run.training().seed());
        MemoryLM model;
        ModelWriter writer;
        if (how == AdapterMethod.FULL) {
            model = Checkpoint.load(base);
            writer = (m, d) -> Checkpoint.save(m, d, run.toJson());
        } else {
            LoraConfig lora = how.usesLora() ? AdapterJson.lora(loraRank, loraAlpha, loraDropout, loraTargets) : null;
            AdapterConfig adapter = new AdapterConfig(how, base.toString(), lora, how.usesMemory() ? run.model().membank() : null);
            model = Adapters.create(base, adapter);
            writer = (m, d) -> Adapters.save(m, adapter, d);
        }
        Adapters.setTrainable(model, how, frozen);
        System.err.printf("membank adapt: %s on %s -> %s (%s, %d steps, %,d trainable parameters)%n", how.cliName(), base,
                dir, p.label(), run.training().steps(), trainable(model));
        RunSummary summary = TrainingRun.adapting(run, dir, p, model, writer).train();
        copyTokenizerFiles(dir);
        out().println(Tables.summary(List.of(summary)));
        if (merge) {
            Path merged = dir.resolve(MERGED);
            Checkpoint.save(Adapters.merged(model), merged, ConfigJson.toJson(model.config()));
            copyTokenizerFiles(merged);
            out().println("merged model written to " + merged);
        }
        out().println((how == AdapterMethod.FULL ? "model" : "adapter") + " written to " + dir);
        return 0;
    }

    /** The base's config.json with the memory block (defaults, then --set) and the training block. */
    private ObjectNode configTree(AdapterMethod how) {
        JsonNode read = ConfigJson.read(Checkpoint.configFile(base));
        if (!(read instanceof ObjectNode root)) {
            throw new ConfigException(Checkpoint.configFile(base) + " must hold a JSON object");
        }
        if (root.hasNonNull("membank")) {
            throw new IllegalArgumentException("--base " + base + " already has memory layers; adapters go on a plain model");
        }
        root.remove("training");
        if (how.usesMemory()) {
            root.putObject("membank").put("num_tokens", 4096);
        }
        ObjectNode training = root.putObject("training");
        training.put("steps", 200).put("lr", 2e-4).put("memory_lr", 1e-3).put("bank_lr", 1e-3).put("warmup_steps", 20);
        training.putObject("data").put("tokenizer", base.toString());
        List<String> all = new ArrayList<>(assignments);
        for (String a : assignments) {
            if (!a.startsWith("membank.") && !a.startsWith("training.")) {
                throw new IllegalArgumentException("--set " + a + ": adapt takes membank.* and training.* keys; the base's"
                        + " own keys come from " + Checkpoint.configFile(base));
            }
            if (a.startsWith("membank.") && !how.usesMemory()) {
                throw new IllegalArgumentException("--set " + a + ": --method " + how.cliName() + " adds no memory");
            }
        }
        all.addAll(shortcuts());
        Overrides.apply(root, all);
        return root;
    }

    private List<String> shortcuts() {
        List<String> extra = new ArrayList<>(DataFlag.assignments(data));
        if (steps != null) {
            extra.add("training.steps=" + steps);
        }
        if (precision != null) {
            extra.add("training.precision=" + precision);
        }
        if (seed != null) {
            extra.add("training.seed=" + seed);
        }
        return extra;
    }

    private static long trainable(MemoryLM model) {
        return model.namedParameters().values().stream().filter(t -> t.requires_grad()).mapToLong(t -> t.numel()).sum();
    }

    /** tokenizer_config.json (chat template, special tokens) travels with the tokenizer.json the run copied. */
    private void copyTokenizerFiles(Path dir) throws IOException {
        for (String name : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            Path from = base.resolve(name);
            if (Files.isRegularFile(from) && !Files.exists(dir.resolve(name))) {
                Files.copy(from, dir.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
