package membank.model;

import java.util.Arrays;
import java.util.function.LongConsumer;

import org.bytedeco.pytorch.Tensor;

import membank.memory.ContextRead;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * Continues a prompt token by token: one forward over the whole prompt fills a {@link DecodeState}
 * (self-attention KV caches, the banks' K/V once), then each new token costs a forward of one
 * position against the caches.
 */
public final class Generator {
    private final MemoryLM model;
    private final int vocabLimit;

    public Generator(MemoryLM model) {
        this(model, model.config().vocabSize());
    }

    /**
     * Ids at or above {@code vocabLimit} are never produced: checkpoints often pad the embedding
     * beyond the tokenizer's vocabulary, and those rows have no text.
     */
    public Generator(MemoryLM model, int vocabLimit) {
        if (vocabLimit < 1 || vocabLimit > model.config().vocabSize()) {
            throw new IllegalArgumentException("vocabulary limit " + vocabLimit + " must be in [1, "
                    + model.config().vocabSize() + "] (the model's vocab_size)");
        }
        this.model = model;
        this.vocabLimit = vocabLimit;
    }

    /**
     * How many tokens can follow a prompt of {@code promptLength}: {@code requested}, or fewer so
     * that prompt plus output fit in max_position_embeddings.
     *
     * @throws IllegalArgumentException when the prompt alone leaves no room
     */
    public int maxNewTokens(int promptLength, int requested) {
        int positions = model.config().maxPositionEmbeddings();
        if (promptLength >= positions) {
            throw new IllegalArgumentException("the prompt has " + promptLength + " tokens but the model handles at most "
                    + positions + " positions (max_position_embeddings), which leaves no room to generate;"
                    + " shorten the prompt");
        }
        return Math.min(requested, positions - promptLength);
    }

    /**
     * The tokens that follow {@code prompt} (the stop token, if reached, is not included), each
     * passed to {@code onToken} as soon as it is chosen.
     */
    public long[] generate(long[] prompt, GenerationOptions opts, LongConsumer onToken) {
        return generate(prompt, opts, onToken, null);
    }

    /** {@link #generate(long[], GenerationOptions, LongConsumer)} with every step also reading {@code context}. */
    public long[] generate(long[] prompt, GenerationOptions opts, LongConsumer onToken, ContextRead context) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: generation needs at least one token (e.g. BOS)");
        }
        Scoring.checkIds(model, prompt);
        int budget = maxNewTokens(prompt.length, opts.maxTokens());
        Sampler sampler = new Sampler(opts.temperature(), opts.topP(), opts.seed());
        long[] out = new long[budget];
        int produced = 0;
        // the outer scope frees the decode state's caches when generation ends
        try (Scope outer = Scope.inference()) {
            DecodeState state = model.newDecodeState(1, prompt.length + budget, context);
            float[] logits = budget == 0 ? null : step(prompt, state);
            while (produced < budget) {
                long next = sampler.next(logits);
                if (opts.isStop(next)) {
                    break;
                }
                out[produced++] = next;
                onToken.accept(next);
                if (produced < budget) {
                    logits = step(new long[] {next}, state);
                }
            }
        }
        return Arrays.copyOf(out, produced);
    }

    /** Runs {@code ids} through the model on top of the state; the next-token logits of the last one. */
    private float[] step(long[] ids, DecodeState state) {
        try (Scope perStep = Scope.tensors()) {
            // only the last position's logits are needed: skip the LM head over the rest of a prompt
            Tensor hidden = model.hidden(Ops.longs(ids).view(1, ids.length), ForwardPass.decoding(state)).narrow(1, ids.length - 1, 1);
            return Ops.floats(model.logits(hidden).view(-1).narrow(0, 0, vocabLimit));
        }
    }
}
