package membank.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.data.StreamDecoder;
import membank.data.Tokenizer;
import membank.model.GenerationOptions;
import membank.model.Generator;
import membank.model.MemoryLM;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continue a prompt with a model, printing the new text as it is generated.",
                "Tokens are sampled at --temperature from the smallest set of most likely tokens whose probability"
                        + " reaches --top-p (nucleus sampling); --temperature 0 always takes the most likely token."
                        + " The same --seed gives the same text.",
                "Generation stops at the tokenizer's end-of-text token (unless --no-stop), after --max-tokens, or"
                        + " when prompt and output fill max_position_embeddings.",
                "Only the continuation is printed, on stdout; the speed goes to stderr."},
        footer = {"", "Examples:",
                "  membank generate --model runs/small --prompt \"Ada Lovelace was born in\" \\",
                "      --temperature 0",
                "  membank generate --model runs/small --prompt \"Once upon a time\" \\",
                "      --max-tokens 200 --seed 7",
                "  membank generate --model DIR --prompt \"The capital of\" --top-p 0.9 --no-stop"})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RoutingOption routingOption = new RoutingOption();

    @Mixin
    AdapterOption adapterOption = new AdapterOption();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (config.json, model.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "STRING",
            description = "Text to continue, tokenized with the model's tokenizer.json (no special tokens added; an empty prompt starts from BOS).")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "64", description = "At most N new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Softmax temperature; 0 = greedy, higher = more varied (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
            description = "Nucleus: sample among the most likely tokens covering probability P, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed of the sampler (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-stop", description = "Keep going past the end-of-text token (up to --max-tokens).")
    boolean noStop;

    @Override
    public Integer call() {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        MemoryLM lm = DeviceOption.onto(adapterOption.load(model), where);
        routingOption.apply(lm, model);
        try (Tokenizer tokenizer = ModelDir.tokenizer(model)) {
            long[] ids = promptIds(tokenizer);
            GenerationOptions opts = new GenerationOptions(maxTokens, temperature, topP, seed, stopId(tokenizer));
            Generator generator = new Generator(lm, Math.min(tokenizer.vocabSize(), lm.config().vocabSize()));
            warnIfClamped(generator.maxNewTokens(ids.length, maxTokens), lm);
            stream(generator, ids, opts, tokenizer.streamDecoder());
        }
        return 0;
    }

    private long[] promptIds(Tokenizer tokenizer) {
        long[] ids = Arrays.stream(tokenizer.encode(prompt)).asLongStream().toArray();
        if (ids.length > 0) {
            return ids;
        }
        if (tokenizer.bosId().isEmpty()) {
            throw new IllegalArgumentException("--prompt is empty and " + tokenizer.file()
                    + " has no BOS token to start from; give some text");
        }
        return new long[] {tokenizer.bosId().getAsInt()};
    }

    private OptionalLong stopId(Tokenizer tokenizer) {
        return noStop || tokenizer.eosId().isEmpty() ? OptionalLong.empty() : OptionalLong.of(tokenizer.eosId().getAsInt());
    }

    private void warnIfClamped(int budget, MemoryLM lm) {
        if (budget < maxTokens) {
            spec.commandLine().getErr().printf(Locale.ROOT, "membank generate: --max-tokens lowered to %d so prompt"
                    + " and output fit in max_position_embeddings (%d)%n", budget, lm.config().maxPositionEmbeddings());
        }
    }

    /** Prints text as soon as it is complete (StreamDecoder holds back half a UTF-8 character). */
    private void stream(Generator generator, long[] ids, GenerationOptions opts, StreamDecoder decoder) {
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        long[] generated = generator.generate(ids, opts, id -> {
            out.print(decoder.push((int) id));
            out.flush();
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(decoder.finish());
        out.flush();
        spec.commandLine().getErr().printf(Locale.ROOT, "%d tokens in %.2f s (%.1f tokens/s)%n", generated.length,
                seconds, generated.length / Math.max(seconds, 1e-9));
    }
}
