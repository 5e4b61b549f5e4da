package membank.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

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
import membank.data.ChatJsonlSource;
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

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loss and perplexity of a model on a corpus and, on the knowledge set, exact fact recall.",
                "Without --data, evaluates on the data the model was trained on (its saved training block):",
                "for the knowledge set, on wordings of its facts that training never showed."},
        footer = {"", "Examples:", "  membank eval --model runs/small", "  membank eval --model runs/small --data corpus/valid.jsonl"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RoutingOption routingOption = new RoutingOption();

    @Mixin
    AdapterOption adapterOption = new AdapterOption();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--data", paramLabel = "knowledge|PATH",
            description = "'knowledge', a folder of .txt files, a .jsonl file of texts, or of conversations (loss on assistant replies; default: the model's training data).")
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
        MemoryLM lm = adapterOption.load(model);
        routingOption.apply(lm, model);
        Tokenizer tokenizer = ModelDir.tokenizer(model);
        TrainConfig t = ModelDir.training(model);
        DataConfig d = t.data();
        boolean knowledge = data == null ? DataConfig.KNOWLEDGE.equals(d.kind()) : "knowledge".equals(data);
        Evaluator evaluator = new Evaluator(lm, Precision.resolve(precision), true);
        BatchSpec spec = new BatchSpec(t.batchSize(), Math.min(t.seqLen(), lm.config().maxPositionEmbeddings()));
        KnowledgeSet set = knowledge ? KnowledgeSet.generate(new KnowledgeSpec(
                entities != null ? entities : d.entities(), knowledgeSeed != null ? knowledgeSeed : d.knowledgeSeed())) : null;
        Path file = set != null ? null : Path.of(data != null ? data : d.path());
        if (file != null && DataFlag.isChat(file)) {
            // Every conversation of the file counts, scored on its assistant replies only.
            ChatJsonlSource chats = new ChatJsonlSource(file);
            ChatEncoder encoder = new ChatEncoder(ChatTemplate.load(model), tokenizer);
            try (TokenBatches batches = ChatBatches.evaluation(chats, encoder, spec, tokenizer.eosId().orElse(0), 1)) {
                printLoss(evaluator.loss(batches, maxBatches), chats.describe() + ", assistant replies");
            }
        } else {
            TextSource source = set != null ? TextSource.rendered("knowledge set (unseen wordings)", e -> set.trainDocuments(1_000_000 + e))
                    : TextSource.open(file);
            try (TokenBatches batches = Batches.evaluation(source, tokenizer, spec).shifted()) {
                printLoss(evaluator.loss(batches, maxBatches), source.describe());
            }
        }
        if (set != null) {
            for (Split split : Split.values()) {
                RecallResult r = evaluator.recall(tokenizer, set.probes(split), 64);
                out().printf(Locale.ROOT, "fact recall (%s wording): %d / %d = %s  (chance %s)%n",
                        split.name().toLowerCase(Locale.ROOT), r.correct(), r.total(), Tables.pct(r.accuracy()),
                        Tables.pct(set.chanceAccuracy()));
                r.byAttribute().forEach((attr, c) -> out().printf(Locale.ROOT, "    %-18s %d / %d%n", attr, c[0], c[1]));
            }
        }
        return 0;
    }

    private void printLoss(double loss, String what) {
        out().printf(Locale.ROOT, "loss %.4f  perplexity %.3f  (%s)%n", loss, Evaluator.perplexity(loss), what);
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
