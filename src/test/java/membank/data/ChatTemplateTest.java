package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    static final Path QWEN25 = Path.of("src/test/resources/chat/qwen2.5");
    static final Path LLAMA3 = Path.of("src/test/resources/chat/llama3");
    static final Path LLAMA32 = Path.of("src/test/resources/chat/llama3.2");
    /** The real Qwen3 tokenizer_config.json, fetched with the tokenizer by src/test/fetch-qwen-tokenizer.sh. */
    static final Path QWEN3 = Path.of("target/test-data/qwen3");

    @TempDir
    Path dir;

    static ChatMessage sys(String s) {
        return new ChatMessage("system", s);
    }

    static ChatMessage user(String s) {
        return new ChatMessage("user", s);
    }

    static ChatMessage bot(String s) {
        return new ChatMessage("assistant", s);
    }

    @Test
    void qwen25RendersChatMlWithTheDefaultSystemPrompt() {
        ChatTemplate t = ChatTemplate.load(QWEN25);
        List<ChatMessage> chat = List.of(user("What is 2+2?"), bot("4."), user("And 3+3?"));
        String expected = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4.<|im_end|>\n"
                + "<|im_start|>user\nAnd 3+3?<|im_end|>\n";
        assertEquals(expected, t.render(chat, false));
        assertEquals(expected + "<|im_start|>assistant\n", t.render(chat, true));
    }

    @Test
    void qwen25UsesAGivenSystemPromptInsteadOfTheDefault() {
        ChatTemplate t = ChatTemplate.load(QWEN25.resolve("tokenizer_config.json"));
        String out = t.render(List.of(sys("  Be brief.\n"), user("Hi"), bot("Hello!")), false);
        assertEquals("<|im_start|>system\n  Be brief.\n<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n", out);
    }

    @Test
    void llama3PutsBosFirstAndTrimsContent() {
        ChatTemplate t = ChatTemplate.load(LLAMA3);
        String out = t.render(List.of(sys("Be brief."), user(" Hi \n"), bot("Hello!")), true);
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", out);
    }

    @Test
    void qwen3TemplateWithSlicesNamespacesAndStringMethods() {
        ChatTemplate t = ChatTemplate.load(QWEN3);
        // Qwen3 walks messages[::-1] to find the last user query, then renders the final
        // assistant turn with an (empty) think block and earlier ones without.
        String out = t.render(List.of(user("Hi"), bot("<think>\nhmm\n</think>\n\nHello!"), user("Bye"), bot("Bye!")), false);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                + "<|im_start|>user\nBye<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\n\n</think>\n\nBye!<|im_end|>\n", out);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", t.render(List.of(user("Hi")), true));
    }

    @Test
    void listOfNamedTemplatesPicksDefault() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"</s>\"}, "
                + "\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"TOOLS\"}, "
                + "{\"name\": \"default\", \"template\": \"{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}\"}]}");
        assertEquals("[user]hi</s>", ChatTemplate.load(dir).render(List.of(user("hi")), false));
    }

    @Test
    void chatTemplateJinjaBesideTheConfigIsUsed() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}{{ messages[0].content }}\n");
        // Like Python's Jinja, a single trailing newline of the template is dropped.
        assertEquals("<s>hi", ChatTemplate.load(dir).render(List.of(user("hi")), false));
    }

    @Test
    void missingTemplateSaysWhichFileAndWhatToDo() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer_config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no \"chat_template\""), e.getMessage());
        assertTrue(e.getMessage().contains(".jinja"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.load(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains("not found"), none.getMessage());
    }

    @Test
    void raiseExceptionInTheTemplateBecomesAClearError() {
        ChatTemplate t = ChatTemplate.of("{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user turn') }}{% endif %}ok", Map.of());
        assertEquals("ok", t.render(List.of(user("x")), false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(bot("x")), false));
        assertTrue(e.getMessage().contains("Conversations must start with a user turn"), e.getMessage());
    }

    @Test
    void unknownFunctionIsAnErrorNotSilentlyEmpty() {
        ChatTemplate t = ChatTemplate.of("a{{ no_such_function(1) }}b", Map.of());
        assertThrows(IllegalArgumentException.class, () -> t.render(List.of(user("x")), false));
    }

    @Test
    void pythonStringMethodsAndSlicesBehaveAsInPython() {
        String tpl = "{% set c = messages[0].content %}"
                + "{{ c.strip() }}|{{ c.lstrip(' x') }}|{{ c.rstrip() }}|{{ 'T' if c.startswith(' x') else 'F' }}|{{ 'T' if c.endswith(('z', 'y ')) else 'F' }}|"
                + "{{ c.split('.') }}|{{ c.split() }}|{{ c.split('.', 1)[-1] }}|{{ c.upper() }}|{{ c[::-1] }}|"
                + "{{ messages[::-1][0].role }}|{{ messages[::2]|length }}|{% set ns = namespace(i=messages|length - 1) %}{{ ns.i }}";
        ChatTemplate t = ChatTemplate.of(tpl, Map.of());
        String out = t.render(List.of(user(" x.a..y "), bot("b"), user("c")), false);
        assertEquals("x.a..y|.a..y | x.a..y|T|T|[' x', 'a', '', 'y ']|['x.a..y']|a..y | X.A..Y | y..a.x |user|2|2", out);
    }

    @Test
    void whitespaceControlFollowsPythonJinja() {
        // lstrip_blocks strips only from the start of a line; trim_blocks eats the newline after a tag.
        String tpl = "a {% if true %}b{% endif %}|\n  {% if true %}\nc{% endif %}\n|{{- ' d ' -}}  |\n";
        assertEquals("a b|\nc| d |", ChatTemplate.of(tpl, Map.of()).render(List.of(user("x")), false));
    }

    @Test
    void strftimeNowIsDefinedAndFormatsLikePython() {
        // Llama 3.2 dates its system prompt this way, falling back to a fixed date when undefined.
        String tpl = "{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% else %}26 Jul 2024{% endif %}";
        String today = HfJinja.strftime("%d %b %Y", java.time.ZonedDateTime.now());
        assertEquals(today, ChatTemplate.of(tpl, Map.of()).render(List.of(user("x")), false));
        // Pinned: what Python's strftime gives in the C locale for every directive templates use.
        java.time.ZonedDateTime t = java.time.ZonedDateTime.of(2024, 7, 6, 9, 5, 3, 0, java.time.ZoneOffset.UTC);
        assertEquals("06 Jul 2024 | 06/07/24 09:05:03 Saturday July 188 AM 100%",
                HfJinja.strftime("%d %b %Y | %d/%m/%y %H:%M:%S %A %B %j %p 100%%", t));
        assertEquals("Today Date: 16 Jan 2024, Tue 21:05 PM, it's 016", HfJinja.strftime("Today Date: %d %b %Y, %a %H:%M %p, it's %j",
                java.time.ZonedDateTime.of(2024, 1, 16, 21, 5, 0, 0, java.time.ZoneOffset.UTC)));
        assertThrows(IllegalArgumentException.class, () -> HfJinja.strftime("%Q", t));
    }

    @Test
    void llama32DatesTheSystemPromptAndMovesTheSystemMessageIntoIt() {
        ChatTemplate t = ChatTemplate.load(LLAMA32);
        String today = HfJinja.strftime("%d %b %Y", java.time.ZonedDateTime.now());
        String out = t.render(List.of(sys(" Be brief. "), user("Hi"), bot("Hello!")), true);
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: " + today + "\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", out);
    }
}
