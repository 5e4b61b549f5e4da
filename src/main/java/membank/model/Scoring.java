package membank.model;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;
import membank.nn.Scope;

/** Per-token log-probabilities: {@code logprobs[i] = log p(tokens[i+1] | tokens[0..i])}. */
public final class Scoring {
    private Scoring() {
    }

    public static float[] logprobs(MemoryLM model, long[] tokens) {
        if (tokens.length < 2) {
            return new float[0];
        }
        checkIds(model, tokens);
        try (Scope scope = Scope.tensors()) {
            Tensor ids = Ops.longs(tokens).view(1, tokens.length);
            Tensor logp = model.forward(ids.narrow(1, 0, tokens.length - 1)).log_softmax(-1);
            // the ids are made on the host; the log-probabilities are on the model's device
            Tensor next = Ops.on(ids.narrow(1, 1, tokens.length - 1).unsqueeze(-1), logp);
            return Ops.floats(Ops.gather(logp, -1, next));
        }
    }

    /** Refuses ids outside the model's vocabulary, naming the first one and its position. */
    public static void checkIds(MemoryLM model, long[] tokens) {
        long vocab = model.config().vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i
                        + " is outside the model's vocabulary [0, " + vocab + ")");
            }
        }
    }
}
