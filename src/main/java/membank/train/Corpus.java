package membank.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import membank.config.DataConfig;
import membank.config.ModelConfig;
import membank.data.BatchSpec;
import membank.data.Batches;
import membank.data.ByteTokenizer;
import membank.data.ChatBatches;
import membank.data.ChatEncoder;
import membank.data.ChatJsonlSource;
import membank.data.ChatTemplate;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.TextSource;
import membank.data.TokenBatches;
import membank.data.Tokenizer;
import membank.data.TrainValidation;

/**
 * The data of a run: its tokenizer (copied into the run directory, so the model directory is
 * self-contained), training and validation documents, and the knowledge set when training on it;
 * or, for chat data, conversations trained on assistant replies only ({@code chat} set, no documents).
 */
public record Corpus(Tokenizer tokenizer, TextSource train, TextSource validation, KnowledgeSet knowledge,
                     ChatData chat) {
    /** Conversations and how to encode them; every {@code every}-th is held out for validation. */
    public record ChatData(ChatJsonlSource source, ChatEncoder encoder, int every) {
    }

    /** Validation renders the knowledge set's facts in wordings from epochs training never reaches. */
    private static final int VALIDATION_EPOCH = 1_000_000;

    public static Corpus open(DataConfig data, ModelConfig model, Path runDir, long seed) {
        Tokenizer tokenizer = tokenizer(data.tokenizer(), runDir);
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("tokenizer " + tokenizer.file() + " has " + tokenizer.vocabSize()
                    + " tokens but vocab_size is " + model.vocabSize() + ": raise vocab_size to at least "
                    + tokenizer.vocabSize());
        }
        if (DataConfig.KNOWLEDGE.equals(data.kind())) {
            KnowledgeSet knowledge = KnowledgeSet.generate(new KnowledgeSpec(data.entities(), data.knowledgeSeed()));
            TextSource validation = TextSource.rendered("knowledge set validation",
                    epoch -> knowledge.trainDocuments(VALIDATION_EPOCH + epoch));
            return new Corpus(tokenizer, knowledge.trainSource().shuffled(seed), validation, knowledge, null);
        }
        int every = (int) Math.max(2, Math.round(1 / data.valFraction()));
        if (DataConfig.CHAT.equals(data.kind())) {
            ChatTemplate template = ChatTemplate.load(tokenizerFolder(data.tokenizer()));
            ChatData chat = new ChatData(new ChatJsonlSource(Path.of(data.path())), new ChatEncoder(template, tokenizer), every);
            return new Corpus(tokenizer, null, null, null, chat);
        }
        TextSource source = DataConfig.TEXT.equals(data.kind()) ? TextSource.folder(Path.of(data.path()))
                : TextSource.jsonl(Path.of(data.path()));
        TrainValidation split = TrainValidation.everyKth(source, every);
        return new Corpus(tokenizer, split.train(), split.validation(), null, null);
    }

    /** Endless training batches: packed documents, or one conversation per row. */
    BatchSource trainingBatches(BatchSpec spec) {
        if (chat != null) {
            return new BatchesSource(ChatBatches.training(chat.source(), chat.encoder(), spec, padId(), chat.every()));
        }
        return new BatchesSource(Batches.training(train, tokenizer, spec).shifted());
    }

    /** One pass over the validation data. */
    public TokenBatches validationBatches(BatchSpec spec) {
        if (chat != null) {
            return ChatBatches.evaluation(chat.source(), chat.encoder(), spec, padId(), chat.every());
        }
        return Batches.evaluation(validation, tokenizer, spec).shifted();
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

    /** "byte" writes membank's byte-level tokenizer.json into the run; a path is copied there. */
    static Tokenizer tokenizer(String spec, Path runDir) {
        Path target = runDir.resolve("tokenizer.json");
        try {
            Files.createDirectories(runDir);
            if ("byte".equals(spec)) {
                ByteTokenizer.write(target);
            } else {
                Path source = Path.of(spec);
                Path file = Files.isDirectory(source) ? source.resolve("tokenizer.json") : source;
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("training.data.tokenizer: " + file + " not found; give"
                            + " \"byte\" or the path of a Hugging Face tokenizer.json");
                }
                if (!file.toAbsolutePath().equals(target.toAbsolutePath())) {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return Tokenizer.load(target);
    }
}
