package membank.cli;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.global.torch;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.eval.GenerationSpeed;
import membank.config.AdapterConfig;
import membank.config.AdapterJson;
import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.config.LoraConfig;
import membank.config.MemoryConfig;
import membank.config.ModelConfig;
import membank.config.RunConfig;
import membank.model.Adapters;
import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.train.Adaptation;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Greedy generation tokens/s at batch 1 of a base model, the same base with a memory adapter",
                "(by default a 65,536-token routed bank: 1,024 chapters of 64, top 4, token routing, in every 4th layer, or the last of fewer),",
                "and with an unmerged LoRA adapter (r 8 on q_proj,v_proj). Adapters get random weights, which costs",
                "the same as trained ones. Target: memory at most 10% slower than the base."},
        footer = {"", "Examples:", "  membank bench generate --base runs/small-nomem",
                "  membank bench generate --base runs/base --adapter runs/mem --adapter runs/lora",
                "  membank bench generate --base models/Qwen2.5-0.5B --tokens 64 --set membank.layers=[6,13,20]"})
final class BenchGenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "The base model directory.")
    Path base;

    @Option(names = "--prompt-tokens", defaultValue = "32", paramLabel = "N", description = "Random prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--tokens", defaultValue = "128", paramLabel = "N", description = "New tokens per run (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "Timed runs per model, taking turns; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--random-weights", description = "Only --base's config.json is read; every model gets random weights"
            + " (the same speed): time a real architecture, e.g. docs/shapes/qwen2.5-0.5b, without downloading it.")
    boolean randomWeights;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "Time these saved adapters (repeatable) on --base instead of fresh memory and LoRA adapters.")
    List<Path> adapters = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a membank.* key of the memory adapter.")
    List<String> assignments = new ArrayList<>();

    @Mixin
    DeviceOption device = new DeviceOption();

    private Device where;

    @Override
    public Integer call() {
        // an unusable device is refused before any model is read
        where = device.resolve();
        return adapters.isEmpty() ? freshAdapters() : savedAdapters();
    }

    /** Every model on the device; each generated token is read back to the host, so the timing waits for it. */
    private Map<String, MemoryLM> placed(Map<String, MemoryLM> models) {
        models.values().forEach(m -> DeviceOption.onto(m, where));
        return models;
    }

    /** The base and each saved adapter on it, timed in turns. */
    private int savedAdapters() {
        Map<String, MemoryLM> models = new LinkedHashMap<>();
        MemoryLM plain = Checkpoint.load(base);
        models.put("base", plain);
        for (Path adapter : adapters) {
            models.put("base + " + adapter.getFileName(), Adapters.load(base, adapter));
        }
        out().printf(Locale.ROOT, "%s: %d layers, d %d; prompt %d, %d new tokens, %d threads%n", base,
                plain.config().numHiddenLayers(), plain.config().hiddenSize(), promptTokens, tokens, torch.get_num_threads());
        print(GenerationSpeed.compare(placed(models), randomPrompt(plain.config().vocabSize()), tokens, repeats));
        return 0;
    }

    private int freshAdapters() {
        ModelConfig shape = ConfigJson.readModel(Checkpoint.configFile(base));
        int every = Math.min(4, shape.numHiddenLayers());
        List<String> memory = new ArrayList<>(List.of("membank.num_tokens=65536", "membank.layers=\"every_n:" + every + "\"",
                "membank.chapters={\"count\":1024,\"top_k\":4,\"routing\":\"token\"}"));
        memory.addAll(assignments);
        RunConfig run = RunConfig.parse(Adaptation.configTree(base, AdapterMethod.MEMORY, memory));
        manual_seed(0);
        MemoryConfig m = run.model().membank();
        LoraConfig lora = AdapterJson.lora(8, 16, 0, List.of("q_proj", "v_proj"));
        Map<String, MemoryLM> models = new LinkedHashMap<>();
        models.put("base", randomWeights ? new MemoryLM(shape) : Checkpoint.load(base));
        models.put("base + memory adapter", randomWeights ? new MemoryLM(shape.withMembank(m))
                : Adapters.create(base, new AdapterConfig(AdapterMethod.MEMORY, base.toString(), null, m)));
        MemoryLM withLora = randomWeights ? new MemoryLM(shape)
                : Adapters.create(base, new AdapterConfig(AdapterMethod.LORA, base.toString(), lora, null));
        if (randomWeights) {
            withLora.addLora(lora);
        }
        models.put("base + LoRA (unmerged)", withLora);
        long[] prompt = randomPrompt(shape.vocabSize());
        out().printf(Locale.ROOT, "%s: %d layers, d %d; memory layers %s, %,d tokens%s; prompt %d, %d new tokens, %d threads%n",
                base, shape.numHiddenLayers(), shape.hiddenSize(), m.layers(), m.numTokens(),
                m.chapters() == null ? " (dense)" : String.format(Locale.ROOT, " in %d chapters, top %d, %s routing",
                        m.chapters().count(), m.chapters().topK(), m.chapters().routing()),
                promptTokens, tokens, torch.get_num_threads());
        List<GenerationSpeed.Result> results = GenerationSpeed.compare(placed(models), prompt, tokens, repeats);
        print(results);
        double slowdown = 1 - results.get(1).tokensPerSecond() / results.get(0).tokensPerSecond();
        out().printf(Locale.ROOT, "memory adapter: %.1f%% slower than the base (target: at most 10%%): %s%n",
                100 * slowdown, slowdown <= 0.10 ? "met" : "not met");
        return 0;
    }

    /** The table, each model against the first (the base). */
    private void print(List<GenerationSpeed.Result> results) {
        double reference = results.get(0).tokensPerSecond();
        out().println("| model | tokens/s | ms/token | vs base |");
        out().println("|---|---:|---:|---:|");
        for (GenerationSpeed.Result r : results) {
            out().printf(Locale.ROOT, "| %s | %.1f | %.2f | %+.1f%% |%n", r.label(), r.tokensPerSecond(), r.msPerToken(),
                    100 * (r.tokensPerSecond() / reference - 1));
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private long[] randomPrompt(int vocab) {
        Random random = new Random(7);
        long[] ids = new long[promptTokens];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }
}
