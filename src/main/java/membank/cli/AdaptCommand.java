package membank.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.AdapterMethod;
import membank.config.RunConfig;
import membank.config.SparseMemoryConfig;
import membank.model.MemoryFreeze;
import membank.model.MemoryLM;
import membank.nn.Precision;
import membank.train.Adaptation;
import membank.train.AfterTrainingException;
import membank.train.Corpus;
import membank.train.RunSummary;
import membank.train.SparseMemoryAdaptation;
import membank.train.SparseSelection;
import membank.util.DirectoryLock;

@Command(name = "adapt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a pretrained Hugging Face Qwen2/Llama model (or a membank model without memory)",
                "with memory layers, LoRA, both, or every weight; or, on a membank model with memory, only the bank",
                "rows the new data reads most (sparse-memory). The base stays frozen and unchanged on disk;",
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
                "  membank adapt --base runs/small-nomem --method lora --merge --out runs/lora",
                "  membank adapt --base runs/small --method sparse-memory --top-t 256 --data facts.jsonl --out runs/smf"})
final class AdaptCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR",
            description = "The pretrained model: a Hugging Face directory (config.json, safetensors, tokenizer.json).")
    Path base;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "memory",
            description = "memory, lora, memory+lora, full or sparse-memory (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--data", paramLabel = "knowledge|PATH", defaultValue = "knowledge",
            description = DataFlag.HELP + ".")
    String data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/adapt-<method>).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (training.steps, default 200).")
    Integer steps;

    @Mixin
    LoraOptions lora = new LoraOptions();

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

    @Mixin
    SparseMemoryOptions sparse = new SparseMemoryOptions();

    @Mixin
    MemoryCheck memory;

    @Mixin
    DistributedOptions distributed;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        // an unusable device is refused before any data is read or rank started
        Device where = device.resolve(distributed.localRank());
        AdapterMethod how = AdapterMethod.of("--method", method);
        if (how.needsMemoryBase() && (distributed.nproc != null && distributed.nproc > 1 || distributed.rendezvous().isPresent())) {
            // its rows are chosen by counting the reads of one process's data; that has not been made rank-aware
            throw new IllegalArgumentException("--method sparse-memory trains in one process: drop --nproc, --rank,"
                    + " --world-size and --master (and torchrun's RANK and WORLD_SIZE), or use --method memory");
        }
        if (distributed.launches()) {
            return distributed.launch(spec);
        }
        MemoryFreeze frozen = MemoryFreeze.of(freeze);
        if (merge) {
            Adaptation.requireMergeable(how);
        }
        List<String> all = TrainingFlags.with(assignments, steps, precision, seed);
        all.addAll(DataFlag.assignments(data));
        if (how.needsMemoryBase()) {
            return sparseMemory(frozen, all, where);
        }
        if (!sparse.given().isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", sparse.given()) + ": for --method sparse-memory only, not "
                    + how.cliName());
        }
        RunConfig run = RunConfig.parse(Adaptation.configTree(base, how, all));
        Adaptation adaptation = new Adaptation(base, how, how.usesLora() ? lora.config() : null, frozen, run);
        Path dir = out != null ? out : Path.of("runs", "adapt-" + how.cliName().replace('+', '-'));
        Precision p = run.training().precision().resolve();
        memory.require(adaptation.memoryEstimate(), run.model());
        // The data is checked before the base is loaded: a bad input fails in seconds, not after minutes.
        Corpus corpus = adaptation.openData();
        DataFlag.log(spec, corpus);
        try (JobRank rank = JobRank.join(distributed.rendezvous(), where);
             DirectoryLock lock = rank.lock(() -> RunDirectories.lockOut(dir))) {
            MemoryLM model = adaptation.model(p);
            System.err.printf("membank adapt: %s on %s -> %s (%s, %d steps, %,d trainable parameters)%n", how.cliName(), base,
                    dir, p.label(), run.training().steps(), Adaptation.trainable(model));
            RunSummary summary = rank.run(() -> adaptation.start(model, corpus, dir, p, rank.parallel()).train());
            if (!rank.writes()) {
                return 0;
            }
            out().println(Tables.summary(List.of(summary)));
            if (merge) {
                out().println("merged model written to " + merged(adaptation, model, dir));
            }
        }
        out().println(adaptation.result() + " written to " + dir);
        return 0;
    }

    /** Counts the reads of the new data and the background, then trains the top-t rows alone. */
    private int sparseMemory(MemoryFreeze frozen, List<String> all, Device where) {
        if (frozen != MemoryFreeze.NONE) {
            throw new IllegalArgumentException("--freeze " + freeze + ": sparse-memory already keeps every tensor but the"
                    + " chosen bank rows frozen; --freeze applies to --method memory and memory+lora");
        }
        SparseMemoryConfig config = sparse.config();
        List<String> backgroundData = sparse.backgroundData(config);
        RunConfig run = RunConfig.parse(SparseMemoryAdaptation.configTree(base, all));
        SparseMemoryAdaptation adaptation = new SparseMemoryAdaptation(base, config, run, backgroundData);
        Path dir = out != null ? out : Path.of("runs", "adapt-sparse-memory");
        Precision p = run.training().precision().resolve();
        memory.require(adaptation.memoryEstimate(), run.model());
        Corpus corpus = adaptation.openData();
        DataFlag.log(spec, corpus);
        Corpus background = adaptation.openBackground();
        spec.commandLine().getErr().println("background: " + background.description());
        if (adaptation.warning() != null) {
            spec.commandLine().getErr().println("membank adapt: warning: " + adaptation.warning());
        }
        try (DirectoryLock lock = RunDirectories.lockOut(dir)) {
            // counted where it trains: the reads are the model's on that device
            MemoryLM model = DeviceOption.onto(adaptation.model(p), where);
            SparseSelection selection = adaptation.select(model, corpus, background, p, true);
            spec.commandLine().getErr().printf("membank adapt: sparse-memory on %s -> %s (%s, %d steps): %s%n", base, dir,
                    p.label(), run.training().steps(), selection.describe());
            spec.commandLine().getErr().flush();
            RunSummary summary = adaptation.start(model, selection, corpus, background, dir, p, where).train();
            out().println(Tables.summary(List.of(summary)));
        }
        out().println("adapter written to " + dir + " (changed rows, counts in " + SparseMemoryAdaptation.SELECTION + ")");
        return 0;
    }

    private static Path merged(Adaptation adaptation, MemoryLM model, Path dir) {
        try {
            return adaptation.writeMerged(model, dir);
        } catch (RuntimeException e) {
            throw new AfterTrainingException(adaptation.result(), dir, "writing the merged model", e);
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
