package membank.train;

import java.nio.file.Path;
import java.util.List;

import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.config.DataConfig;
import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Split;
import membank.data.TokenBatches;
import membank.eval.Evaluator;
import membank.eval.RecallResult;
import membank.model.Checkpoint;
import membank.train.ComparisonMethod.BaseKind;

/**
 * A pretrained base of the comparison with what is measured against it: its own knowledge set
 * (validation loss and recall of its facts, which adapting may erode) and the new facts every
 * method learns (another knowledge seed, tokenized with this base's tokenizer).
 */
final class InjectionBase {
    private final Path dir;
    private final BaseKind kind;
    private final DataConfig data;
    private final Corpus own;
    private final BatchSpec spec;
    private final int evalBatches;
    private final Corpus newFacts;
    private final long tokensPerStep;
    private boolean[] known;

    private InjectionBase(Path dir, BaseKind kind, DataConfig data, Corpus own, BatchSpec spec, int evalBatches, Corpus newFacts,
                          long tokensPerStep) {
        this.tokensPerStep = tokensPerStep;
        this.dir = dir;
        this.kind = kind;
        this.data = data;
        this.own = own;
        this.spec = spec;
        this.evalBatches = evalBatches;
        this.newFacts = newFacts;
    }

    /** The base in {@code dir}, which must have been trained on the knowledge set; {@code newData} are the new facts' {@code training.*} keys. */
    static InjectionBase open(Path dir, List<String> newData) {
        TrainConfig training = ConfigJson.parseTraining(ConfigJson.read(Checkpoint.configFile(dir)).get("training"));
        DataConfig data = training.data();
        if (data.kind() != DataConfig.Kind.KNOWLEDGE) {
            throw new IllegalArgumentException("--base " + dir + " was trained on " + data.kind() + " data; the comparison"
                    + " measures new facts against the base's own knowledge set, so the base must have been trained on"
                    + " 'knowledge' (e.g. membank train --preset base-nomem)");
        }
        var model = ConfigJson.readModel(Checkpoint.configFile(dir));
        BaseKind kind = BaseKind.of(model.hasMemory());
        Corpus own = Corpus.open(training.withData(data.withTokenizer(dir.toString())), model);
        // The new facts' data block as every method's run resolves it (the method does not matter for it).
        var tree = kind == BaseKind.MEMORY ? SparseMemoryAdaptation.configTree(dir, newData)
                : Adaptation.configTree(dir, AdapterMethod.FULL, newData);
        TrainConfig adapting = RunConfig.parse(tree).training();
        Corpus newFacts = Corpus.open(adapting, model);
        return new InjectionBase(dir, kind, data, own, new BatchSpec(training.batchSize(), training.seqLen()),
                training.evalBatches(), newFacts, (long) adapting.batchSize() * adapting.seqLen() * adapting.gradAccum());
    }

    Path dir() {
        return dir;
    }

    BaseKind kind() {
        return kind;
    }

    /** The base's own knowledge set: which people (seed and count) it learned. */
    DataConfig data() {
        return data;
    }

    /** Tokens an adaptation step trains on (batch x sequence length x accumulation), the same for every method. */
    long tokensPerStep() {
        return tokensPerStep;
    }

    Corpus newFacts() {
        return newFacts;
    }

    /** Loss on the base's own validation data (its facts in wordings training never used). */
    double ownLoss(Evaluator evaluator) {
        try (TokenBatches batches = own.validationBatches(spec)) {
            return evaluator.loss(batches, evalBatches);
        }
    }

    /** Recall of the base's own facts, in the wordings its training used. */
    RecallResult ownRecall(Evaluator evaluator) {
        return recall(evaluator, own, Split.SEEN);
    }

    static RecallResult recall(Evaluator evaluator, Corpus corpus, Split split) {
        return evaluator.recall(corpus.tokenizer(), corpus.knowledge().probes(split), TrainingRun.PROBE_BATCH);
    }

    /** Records which of its own facts the unadapted base recalls, for {@link #keptShare}. */
    void remember(RecallResult unadapted) {
        known = unadapted.hits().clone();
    }

    /** Of the facts the unadapted base recalled, the share {@code after} still recalls (1 when it knew none). */
    double keptShare(RecallResult after) {
        int knew = 0;
        int kept = 0;
        for (int i = 0; i < known.length; i++) {
            if (known[i]) {
                knew++;
                kept += after.hits()[i] ? 1 : 0;
            }
        }
        return knew == 0 ? 1 : kept / (double) knew;
    }
}
