package membank.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.config.ConfigJson;
import membank.config.ContextConfig;
import membank.config.ModelConfig;
import membank.model.Checkpoint;
import membank.train.ContextTraining;
import membank.util.DirectoryLock;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Adds a context encoder to a trained memory model and teaches its memory layers to read the",
                "context bank with the segment task: a biography of an invented person is compressed into the bank",
                "(ratio tokens per latent vector), and the LM loss is on the same facts in other words. Prints the",
                "held-out segment-2 loss with and without the bank before and after; writes a whole model to --out."},
        footer = {"", "Examples:",
                "  membank train --preset small --steps 300 --out runs/small",
                "  membank context train --model runs/small --out runs/small-context --steps 300",
                "  membank context train --model runs/small --out runs/ctx-own --kv own --ratio 8"})
final class ContextTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A trained model with memory layers.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the model with its context encoder goes.")
    Path out;

    @Option(names = "--ratio", paramLabel = "R", description = "Tokens per latent vector (membank.context.ratio, default 16).")
    Integer ratio;

    @Option(names = "--kv", paramLabel = "shared|own", description = "Read the context with the memory attention's K/V projections"
            + " (shared, default) or with its own (own).")
    String kv;

    @Option(names = "--kl-beta", paramLabel = "B", description = "Weight of the KL term (default 0.01).")
    Double klBeta;

    @Option(names = "--recon-weight", paramLabel = "W", description = "Weight of the encoder loss beside the LM loss (default 1).")
    Double reconWeight;

    @Option(names = "--read-limit", paramLabel = "K", description = "Context vectors one input reads at inference (default 256).")
    Integer readLimit;

    @Option(names = "--train", paramLabel = "WHAT", defaultValue = "memory",
            description = "What learns: context (encoder, decoder, own K/V), memory (also the memory layers) or all (default: ${DEFAULT-VALUE}).")
    String train;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "300", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Segment pairs per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--segment-length", paramLabel = "N", defaultValue = "256",
            description = "Most tokens per segment, start token included (default: ${DEFAULT-VALUE}).")
    int segmentLength;

    @Option(names = "--distractors", paramLabel = "N", defaultValue = "3",
            description = "Other people's biographies each bank also holds, so the model learns to pick the right one"
                    + " (default: ${DEFAULT-VALUE}; at most --batch-size - 1).")
    int distractors;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of initialisation and drawn people (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model " + model + ": no such directory");
        }
        ModelConfig config = ConfigJson.readModel(Checkpoint.configFile(model));
        ContextConfig context = contextConfig(config);
        var options = new ContextTraining.Options(context, ContextTraining.Scope.of(train), steps, batchSize, segmentLength,
                lr, seed, 32, distractors);
        ContextTraining.Result r;
        try (DirectoryLock lock = RunDirectories.lockOut(out)) {
            r = ContextTraining.run(model, out, options, !noProgress, spec.commandLine().getOut()::println, where);
        }
        var o = spec.commandLine().getOut();
        o.println();
        o.println("| held-out segment-2 loss | before | after |");
        o.println("|---|---|---|");
        o.printf(Locale.ROOT, "| with the context bank | %.4f | %.4f |%n", r.lossWithContextBefore(), r.lossWithContext());
        o.printf(Locale.ROOT, "| without (empty bank) | %.4f | %.4f |%n", r.lossWithoutContextBefore(), r.lossWithoutContext());
        o.printf(Locale.ROOT, "%nencoder loss %.4f, %d latent vectors per %d-token segment, %,.0f tokens/s; wrote %s%n",
                r.reconstruction(), r.latentsPerSegment(), segmentLength, r.tokensPerSecond(), out);
        return 0;
    }

    /** The model's context block with the flags given on top, or null to keep its own unchanged. */
    private ContextConfig contextConfig(ModelConfig config) {
        if (!config.hasMemory()) {
            throw new IllegalArgumentException("--model " + model + " has no memory layers, and the context bank is read by"
                    + " memory layers: train one with memory first (e.g. membank train --preset small)");
        }
        ObjectNode block = config.membank().context() == null ? JsonNodeFactory.instance.objectNode()
                : ConfigJson.toJson(config.membank()).with("context");
        if (ratio != null) {
            block.put("ratio", ratio);
        }
        if (kv != null) {
            block.put("kv", kv);
        }
        if (klBeta != null) {
            block.put("kl_beta", klBeta);
        }
        if (reconWeight != null) {
            block.put("recon_weight", reconWeight);
        }
        if (readLimit != null) {
            block.put("read_limit", readLimit);
        }
        return ConfigJson.parseContext(block, config);
    }
}
