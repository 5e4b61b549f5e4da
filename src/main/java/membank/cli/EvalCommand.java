package membank.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import membank.config.DataConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Batches;
import membank.data.ChatBatches;
import membank.data.ChatEncoder;
import membank.data.DataInput;
import membank.data.ChatTemplate;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.Split;
import membank.data.TextSource;
import membank.data.TokenBatches;
import membank.data.Tokenizer;
import membank.eval.Evaluator;
import membank.eval.RecallResult;
import membank.model.MemoryLM;
import membank.nn.Precision;
import membank.train.Corpus;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loss and perplexity of a model on a corpus and, on the knowledge set, exact fact recall.",
                "Without --data, evaluates on the validation part of the data the model (or --adapter) was trained on,",
                "split as its run recorded; for the knowledge set, on wordings of its facts that training never showed."},
        footer = {"", "Examples:", "  membank eval --model runs/small", "  membank eval --model runs/small --data corpus/valid.jsonl"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RoutingOption routingOption = new RoutingOption();

    @Mixin
    AdapterOption adapterOption = new AdapterOption();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--data", paramLabel = "knowledge|PATH",
            description = DataFlag.HELP + " (conversations: loss on assistant replies). Default: the validation part of the"
                    + " model's training data.")
    String data;

    @Option(names = "--entities", paramLabel = "N", description = "Knowledge set size (default: as trained).")
    Integer entities;

    @Option(names = "--knowledge-seed", paramLabel = "S", description = "Knowledge set seed (default: as trained).")
    Long knowledgeSeed;

    @Option(names = "--max-batches", defaultValue = "50", paramLabel = "N", description = "Batches of loss evaluation (default: ${DEFAULT-VALUE}).")
    int maxBatches;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "auto|fp32|bf16", description = "Default: ${DEFAULT-VALUE}.")
    String precision;

    @Override
    public Integer call() {
        // an unusable device is refused before the model is read
        Device where = device.resolve();
        MemoryLM lm = DeviceOption.onto(adapterOption.load(model), where);
        routingOption.apply(lm, model);
        Tokenizer tokenizer = ModelDir.tokenizer(model);
        TrainConfig t = adapterOption.training(model);
        DataConfig d = t.data();
        boolean knowledge = data == null ? d.kind() == DataConfig.Kind.KNOWLEDGE : "knowledge".equals(data);
        Evaluator evaluator = new Evaluator(lm, Precision.resolve(precision), true);
        BatchSpec shape = new BatchSpec(t.batchSize(), Math.min(t.seqLen(), lm.config().maxPositionEmbeddings()));
        if (knowledge) {
            KnowledgeSet set = KnowledgeSet.generate(new KnowledgeSpec(entities != null ? entities : d.entities(),
                    knowledgeSeed != null ? knowledgeSeed : d.knowledgeSeed()));
            TextSource source = TextSource.rendered("knowledge set (unseen wordings)", e -> set.trainDocuments(1_000_000 + e));
            try (TokenBatches batches = Batches.evaluation(source, tokenizer, shape).shifted()) {
                printLoss(evaluator.loss(batches, maxBatches), source.describe());
            }
            printRecall(evaluator, tokenizer, set);
        } else if (data == null) {
            evaluateTrainingData(evaluator, d, tokenizer, shape);
        } else {
            evaluateWhole(evaluator, DataInput.of(DataFlag.existing(data)), tokenizer, shape);
        }
        return 0;
    }

    /** The validation part of what the model was trained on, split as its run recorded. */
    private void evaluateTrainingData(Evaluator evaluator, DataConfig d, Tokenizer tokenizer, BatchSpec shape) {
        Corpus corpus = Corpus.validationOf(d, tokenizer, model);
        DataFlag.log(spec, corpus);
        try (TokenBatches batches = corpus.validationBatches(shape)) {
            printLoss(evaluator.loss(batches, maxBatches), "validation part of " + d.path()
                    + (corpus.chat() != null ? ", assistant replies" : ""));
        }
    }

    /** Every document (or conversation, scored on its assistant replies only) of data given with --data. */
    private void evaluateWhole(Evaluator evaluator, DataInput input, Tokenizer tokenizer, BatchSpec shape) {
        DataFlag.log(spec, input.describe());
        if (input.isChat()) {
            ChatEncoder encoder = new ChatEncoder(ChatTemplate.load(model), tokenizer);
            try (TokenBatches batches = ChatBatches.evaluation(input.conversations(), encoder, shape,
                    tokenizer.eosId().orElse(0), 1)) {
                printLoss(evaluator.loss(batches, maxBatches), input.path() + ", assistant replies");
            }
            return;
        }
        try (TokenBatches batches = Batches.evaluation(input.documents(), tokenizer, shape).shifted()) {
            printLoss(evaluator.loss(batches, maxBatches), input.path().toString());
        }
    }

    private void printRecall(Evaluator evaluator, Tokenizer tokenizer, KnowledgeSet set) {
        for (Split split : Split.values()) {
            RecallResult r = evaluator.recall(tokenizer, set.probes(split), 64);
            out().printf(Locale.ROOT, "fact recall (%s wording): %d / %d = %s  (chance %s)%n",
                    split.name().toLowerCase(Locale.ROOT), r.correct(), r.total(), Tables.pct(r.accuracy()),
                    Tables.pct(set.chanceAccuracy()));
            r.byAttribute().forEach((attr, c) -> out().printf(Locale.ROOT, "    %-18s %d / %d%n", attr, c[0], c[1]));
        }
    }

    private void printLoss(double loss, String what) {
        out().printf(Locale.ROOT, "loss %.4f  perplexity %.3f  (%s)%n", loss, Evaluator.perplexity(loss), what);
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
