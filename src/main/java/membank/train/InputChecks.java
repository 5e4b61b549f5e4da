package membank.train;

import java.util.Locale;

import membank.config.ModelConfig;
import membank.config.TrainConfig;
import membank.data.BatchSpec;
import membank.data.EncodedDocuments;
import membank.data.Tokenizer;

/**
 * The checks on a run's inputs that can fail. All of them run before the first step, so that a run
 * that could not finish does not start: each names what is wrong, the numbers, and what to change.
 */
final class InputChecks {
    private InputChecks() {
    }

    /** Ids the tokenizer makes must index the model's embedding, and documents need an EOS to end with. */
    static void tokenizer(String spec, Tokenizer tokenizer, ModelConfig model) {
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("tokenizer " + spec + " has " + tokenizer.vocabSize() + " tokens but"
                    + " vocab_size is " + model.vocabSize() + ": its ids would fall outside the model's embedding;"
                    + " raise vocab_size to at least " + tokenizer.vocabSize() + " or use the model's own tokenizer");
        }
        if (tokenizer.eosId().isEmpty()) {
            throw new IllegalArgumentException("tokenizer " + spec + " has no EOS token that membank could find: add"
                    + " eos_token to tokenizer_config.json or eos_token_id to config.json beside it");
        }
    }

    /** A training row must fit the positions the model has. */
    static void positions(TrainConfig training, ModelConfig model) {
        if (training.seqLen() > model.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("training.seq_len is " + training.seqLen() + " but the model has "
                    + model.maxPositionEmbeddings() + " positions (max_position_embeddings): lower training.seq_len");
        }
    }

    /** Tokens of one batch: its rows share their boundary tokens, so B x S + 1. */
    static long batchTokens(BatchSpec spec) {
        return (long) spec.batchSize() * spec.seqLen() + 1;
    }

    /**
     * Each side of the split must fill at least one batch.
     *
     * @param what the data, as messages name it
     * @param held how the split holds out validation, as messages say it
     * @param hint what to change
     */
    static void batches(EncodedDocuments train, EncodedDocuments validation, BatchSpec spec, String what, String held,
                        String hint) {
        long need = batchTokens(spec);
        long trainTokens = train.streamTokens(need);
        long validationTokens = validation.streamTokens(need);
        if (trainTokens < need || validationTokens < need) {
            String part = trainTokens < need ? "training" : "validation";
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: the %s part (%s) has %,d tokens, fewer"
                    + " than one batch of %s. %s", what, part, held, Math.min(trainTokens, validationTokens),
                    batchShape(spec), hint));
        }
    }

    /** Refuses a corpus smaller than one training batch and one validation batch, with the numbers. */
    static void enoughTokens(CorpusSurvey survey, BatchSpec spec, String what) {
        long need = 2 * batchTokens(spec);
        if (survey.exact() && survey.tokens() < need) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: too little data for one training batch"
                    + " and one validation batch: it has %,d tokens (%,d document%s) and needs at least %,d, two"
                    + " batches of %s. %s", what, survey.tokens(), survey.documents(), survey.documents() == 1 ? "" : "s",
                    need, batchShape(spec), SMALLER_OR_MORE));
        }
    }

    static final String SMALLER_OR_MORE = "Lower training.batch_size or training.seq_len, or add data.";

    static String batchShape(BatchSpec spec) {
        return String.format(Locale.ROOT, "%,d tokens (training.batch_size %d x training.seq_len %d + 1)",
                batchTokens(spec), spec.batchSize(), spec.seqLen());
    }
}
