package membank.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Tiny checkpoints whose log-probabilities were computed in float64 by an independent PyTorch
 * implementation of the spec: reproducing them to 1e-4 pins down the math.
 */
class GoldenTest {

    static Path golden(String name) throws URISyntaxException {
        return Path.of(GoldenTest.class.getResource("/golden/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "llama-untied-headdim", "memory-A-shared", "memory-B-per-layer",
            "chapters-token-independent", "chapters-prefix-joint"})
    void reproducesLogProbabilities(String name) throws Exception {
        Path dir = golden(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        long[] tokens = new long[expected.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = expected.get("tokens").get(i).asLong();
        }
        MemoryLM model = Checkpoint.load(dir);
        float[] logprobs;
        try (NoGradGuard ignored = new NoGradGuard()) {
            logprobs = Scoring.logprobs(model, tokens);
        }
        assertEquals(expected.get("logprobs").size(), logprobs.length);
        double worst = 0;
        for (int i = 0; i < logprobs.length; i++) {
            worst = Math.max(worst, Math.abs(logprobs[i] - expected.get("logprobs").get(i).asDouble()));
        }
        assertTrue(worst < 1e-4, name + ": max |logprob difference| " + worst);
    }

}
