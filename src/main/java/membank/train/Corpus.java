package membank.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

import me.tongfei.progressbar.ProgressBar;

import membank.config.DataConfig;
import membank.config.ModelConfig;
import membank.config.SplitConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.Batches;
import membank.data.ChatBatches;
import membank.data.ChatEncoder;
import membank.data.ChatJsonlSource;
import membank.data.ChatTemplate;
import membank.data.DataInput;
import membank.data.EncodedDocuments;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.TextSource;
import membank.data.TokenBatches;
import membank.data.TokenHoldOut;
import membank.data.Tokenizer;
import membank.data.TrainValidation;
import membank.util.Progress;

/**
 * The data of a run: its tokenizer, training and validation documents (each with how it becomes
 * ids), and the knowledge set when training on it; or, for chat data, conversations trained on
 * assistant replies only ({@code chat} set, no documents). {@code data} is the run's data block with
 * the split it uses, to be recorded in the run's config.
 */
public record Corpus(Tokenizer tokenizer, DataConfig data, String description, EncodedDocuments train,
                     EncodedDocuments validation, KnowledgeSet knowledge, ChatData chat) {

    /** Conversations and how to encode them; every {@code every}-th is held out for validation. */
    public record ChatData(ChatJsonlSource source, ChatEncoder encoder, int every) {
    }

    /** Validation renders the knowledge set's facts in wordings from epochs training never reaches. */
    private static final int VALIDATION_EPOCH = 1_000_000;

    /**
     * The data of a run about to train, with every check on it done: tokenizer against the model,
     * every document readable, the split chosen (unless recorded) and each side at least one batch.
     */
    public static Corpus open(TrainConfig training, ModelConfig model) {
        DataConfig data = training.data();
        Tokenizer tokenizer = RunTokenizer.load(data.tokenizer());
        InputChecks.tokenizer(data.tokenizer(), tokenizer, model);
        InputChecks.positions(training, model);
        BatchSpec spec = new BatchSpec(training.batchSize(), training.seqLen());
        if (data.kind() == DataConfig.Kind.KNOWLEDGE) {
            Corpus corpus = knowledge(data, tokenizer, training.seed());
            InputChecks.batches(corpus.train(), corpus.validation(), spec, "the knowledge set (" + people(data.entities())
                    + ")", "its facts in wordings training never sees", "Raise training.data.entities, or lower training.batch_size or"
                            + " training.seq_len.");
            return corpus;
        }
        DataInput input = input(data);
        return data.kind() == DataConfig.Kind.CHAT ? checkedChat(input, data, tokenizer)
                : checkedDocuments(input, data, tokenizer, spec);
    }

    /**
     * The validation side of the data a model was trained on, for evaluating it afterwards: the
     * split its run recorded (every k-th document for runs from before splits were recorded).
     * Nothing is read ahead.
     *
     * @param templateDir where the chat template is, for chat data
     */
    public static Corpus validationOf(DataConfig data, Tokenizer tokenizer, Path templateDir) {
        if (data.kind() == DataConfig.Kind.KNOWLEDGE) {
            return knowledge(data, tokenizer, 0);
        }
        DataInput input = input(data);
        SplitConfig split = data.split() != null ? data.split() : SplitConfig.documents(data.holdOutEvery());
        if (data.kind() == DataConfig.Kind.CHAT) {
            return chat(input, data.withSplit(split), tokenizer, ChatTemplate.load(templateDir));
        }
        return documents(input, data.withSplit(split), tokenizer);
    }

    private static Corpus knowledge(DataConfig data, Tokenizer tokenizer, long seed) {
        KnowledgeSet knowledge = KnowledgeSet.generate(new KnowledgeSpec(data.entities(), data.knowledgeSeed()));
        TextSource validation = TextSource.rendered("knowledge set validation",
                epoch -> knowledge.trainDocuments(VALIDATION_EPOCH + epoch));
        String description = String.format(Locale.ROOT, "the knowledge set: %s (seed %d); validation: its"
                + " facts in wordings training never sees", people(data.entities()), data.knowledgeSeed());
        return new Corpus(tokenizer, data, description, new EncodedDocuments(knowledge.trainSource().shuffled(seed),
                tokenizer::encode), new EncodedDocuments(validation, tokenizer::encode), knowledge, null);
    }

    private static String people(int n) {
        return n == 1 ? "1 person" : String.format(Locale.ROOT, "%,d people", n);
    }

    /** The files at the data path; refuses documents where conversations are configured and the other way round. */
    private static DataInput input(DataConfig data) {
        DataInput input = DataInput.of(Path.of(data.path()));
        if (data.replacesInvalidUtf8()) {
            input = input.replacingInvalidUtf8();
        }
        if (input.isChat() != (data.kind() == DataConfig.Kind.CHAT)) {
            throw new IllegalArgumentException("training.data.kind is \"" + data.kind() + "\" but " + input.describe()
                    + (input.isChat() ? ": set it to \"chat\"" : ": set it to \"text\"") + " (--data does this)");
        }
        return input;
    }

    private static Corpus checkedDocuments(DataInput input, DataConfig data, Tokenizer tokenizer, BatchSpec spec) {
        long need = InputChecks.batchTokens(spec);
        int every = data.split() != null && !data.split().byTokens() ? data.split().every() : data.holdOutEvery();
        CorpusSurvey survey = CorpusSurvey.of(input.documents(), tokenizer::encode, every, need, data.valFraction());
        InputChecks.enoughTokens(survey, spec, input.describe());
        SplitConfig split = data.split() != null ? data.split() : survey.choose(every, need, data.valFraction());
        Corpus corpus = documents(input, data.withSplit(split), tokenizer);
        InputChecks.batches(corpus.train(), corpus.validation(), spec, input.describe(), split.describe("document"),
                InputChecks.SMALLER_OR_MORE + (data.split() != null ? " Or remove training.data.split to let the run"
                        + " choose the split again." : ""));
        return corpus;
    }

    private static Corpus documents(DataInput input, DataConfig data, Tokenizer tokenizer) {
        TextSource all = input.documents();
        SplitConfig split = data.split();
        Function<String, int[]> encoder = tokenizer::encode;
        EncodedDocuments train;
        EncodedDocuments validation;
        if (split.byTokens()) {
            train = new EncodedDocuments(all, TokenHoldOut.head(encoder, split.fraction()));
            validation = new EncodedDocuments(all, TokenHoldOut.tail(encoder, split.fraction()));
        } else {
            TrainValidation halves = TrainValidation.everyKth(all, split.every());
            train = new EncodedDocuments(halves.train(), encoder);
            validation = new EncodedDocuments(halves.validation(), encoder);
        }
        return new Corpus(tokenizer, data, input.describe() + "; validation: " + split.describe("document"), train,
                validation, null, null);
    }

    /** Every conversation is read now; with fewer than every k-th needs, the last one is held out. */
    private static Corpus checkedChat(DataInput input, DataConfig data, Tokenizer tokenizer) {
        ChatTemplate template = ChatTemplate.load(tokenizerFolder(data.tokenizer()));
        long count = countConversations(input.conversations());
        if (count < 2) {
            throw new IllegalArgumentException(input.describe() + ": " + count + " conversation; training needs at least"
                    + " 2, one to train on and one to validate: add conversations");
        }
        SplitConfig split = data.split() != null ? data.split()
                : SplitConfig.documents((int) Math.min(data.holdOutEvery(), count));
        if (split.byTokens() || split.every() > count) {
            throw new IllegalArgumentException(input.describe() + ": training.data.split holds out "
                    + split.describe("conversation") + " but there are " + count + " conversations: remove"
                    + " training.data.split to let the run choose again");
        }
        Corpus corpus = chat(input, data.withSplit(split), tokenizer, template);
        // One conversation of each side through the template, so template errors come now too.
        ChatData chat = corpus.chat();
        try (TokenBatches train = ChatBatches.training(chat.source(), chat.encoder(), new BatchSpec(1, 1), corpus.padId(),
                chat.every()); TokenBatches validation = corpus.validationBatches(new BatchSpec(1, 1))) {
            train.next();
            validation.next();
        }
        return corpus;
    }

    private static long countConversations(ChatJsonlSource source) {
        long count = 0;
        try (ChatJsonlSource.Conversations all = source.conversations();
             ProgressBar bar = Progress.bar("check data", -1, System.console() != null)) {
            while (all.hasNext()) {
                all.next();
                count++;
                bar.step();
            }
        }
        return count;
    }

    private static Corpus chat(DataInput input, DataConfig data, Tokenizer tokenizer, ChatTemplate template) {
        ChatData chat = new ChatData(input.conversations(), new ChatEncoder(template, tokenizer), data.split().every());
        return new Corpus(tokenizer, data, input.describe() + "; validation: " + data.split().describe("conversation"),
                null, null, null, chat);
    }

    /** Endless training batches: packed documents, or one conversation per row. */
    TokenBatches trainingBatches(BatchSpec spec) {
        if (chat != null) {
            return ChatBatches.training(chat.source(), chat.encoder(), spec, padId(), chat.every());
        }
        return Batches.training(train.documents(), train.encoder(), eosId(), spec).shifted();
    }

    /** One pass over the validation data. */
    public TokenBatches validationBatches(BatchSpec spec) {
        if (chat != null) {
            return ChatBatches.evaluation(chat.source(), chat.encoder(), spec, padId(), chat.every());
        }
        return Batches.evaluation(validation.documents(), validation.encoder(), eosId(), spec).shifted();
    }

    private int eosId() {
        return tokenizer.eosId().orElseThrow();
    }

    private long padId() {
        return tokenizer.eosId().orElse(0);
    }

    /** The folder whose tokenizer_config.json holds the chat template: the tokenizer's. */
    private static Path tokenizerFolder(String spec) {
        if ("byte".equals(spec)) {
            throw new IllegalArgumentException("chat data needs a chat template, which membank's byte tokenizer has none of:"
                    + " set training.data.tokenizer to a model folder with tokenizer_config.json (adapt does this with --base)");
        }
        Path path = Path.of(spec);
        return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    }
}
