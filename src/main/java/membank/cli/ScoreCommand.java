package membank.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import membank.data.Tokenizer;
import membank.model.MemoryLM;
import membank.model.Scoring;
import membank.nn.Scope;

@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per-token log-probabilities of a text under a model:",
                "logprobs[i] = log p(tokens[i+1] | tokens[0..i]) (natural log), computed in float32.",
                "With --json prints {\"tokens\": [ids...], \"logprobs\": [...]} for other tools to check."},
        footer = {"", "Examples:", "  membank score --model runs/small --text \"Ada Lovelace was born in\" --json",
                "  membank score --model DIR --ids 1,72,101,108 --json"})
final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Input {
        @Option(names = "--text", paramLabel = "STRING", description = "Text to score, tokenized with the model's tokenizer.json (no special tokens added).")
        String text;

        @Option(names = "--ids", split = ",", paramLabel = "ID,ID,...", description = "Token ids to score as they are.")
        long[] ids;
    }

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (config.json, model.safetensors, tokenizer.json).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Mixin
    RoutingOption routingOption = new RoutingOption();

    @Mixin
    AdapterOption adapterOption = new AdapterOption();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        MemoryLM lm = DeviceOption.onto(adapterOption.load(model), where);
        routingOption.apply(lm, model);
        long[] tokens = input.ids != null ? input.ids : encode(ModelDir.tokenizer(model), input.text);
        float[] logprobs;
        try (Scope ignored = Scope.noGrad()) {
            logprobs = Scoring.logprobs(lm, tokens);
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode out = mapper.createObjectNode();
            ArrayNode ids = out.putArray("tokens");
            Arrays.stream(tokens).forEach(ids::add);
            ArrayNode lp = out.putArray("logprobs");
            for (float v : logprobs) {
                lp.add(v);
            }
            out().println(mapper.writeValueAsString(out));
        } else {
            printTable(tokens, logprobs);
        }
        return 0;
    }

    private static long[] encode(Tokenizer tokenizer, String text) {
        return Arrays.stream(tokenizer.encode(text)).asLongStream().toArray();
    }

    private void printTable(long[] tokens, float[] logprobs) {
        double total = 0;
        out().println("position  token  logprob(next)");
        for (int i = 0; i < logprobs.length; i++) {
            out().printf(Locale.ROOT, "%8d  %5d  %.6f%n", i, tokens[i + 1], logprobs[i]);
            total += logprobs[i];
        }
        if (logprobs.length > 0) {
            out().printf(Locale.ROOT, "total %.4f, mean %.4f nats/token, perplexity %.3f%n", total,
                    total / logprobs.length, Math.exp(-total / logprobs.length));
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
