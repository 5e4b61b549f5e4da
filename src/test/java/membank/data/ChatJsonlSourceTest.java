package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatJsonlSourceTest {

    @TempDir
    Path dir;

    static final String GOOD = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, "
            + "{\"role\": \"assistant\", \"content\": \"Hello!\"}], \"id\": 7}";

    private Path write(String... lines) throws Exception {
        Path f = dir.resolve("chats.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static List<Conversation> all(ChatJsonlSource src) {
        List<Conversation> out = new ArrayList<>();
        try (ChatJsonlSource.Conversations c = src.conversations()) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    /** The message of the error raised while reading the whole file. */
    private String errorOf(String... lines) throws Exception {
        ChatJsonlSource src = new ChatJsonlSource(write(lines));
        return assertThrows(IllegalArgumentException.class, () -> all(src)).getMessage();
    }

    @Test
    void readsConversationsSkippingBlankLinesAndKeepingLineNumbers() throws Exception {
        Path f = write(GOOD, "", "  ", "{\"messages\": [{\"role\": \"system\", \"content\": \"\"}, "
                + "{\"role\": \"user\", \"content\": \"a\\nb\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}");
        List<Conversation> got = all(new ChatJsonlSource(f));
        assertEquals(2, got.size());
        assertEquals(List.of(new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello!")), got.get(0).messages());
        assertEquals(f + " line 1", got.get(0).origin());
        assertEquals(f + " line 4", got.get(1).origin());
        assertEquals("a\nb", got.get(1).messages().get(1).content());
        assertEquals(all(new ChatJsonlSource(f)), got, "every pass reads the same");
    }

    @Test
    void badLinesAreNamedWithTheirLineNumberAndProblem() throws Exception {
        Path f = dir.resolve("chats.jsonl");
        assertTrue(errorOf(GOOD, "{not json").startsWith(f + " line 2: not valid JSON"));
        assertTrue(errorOf(GOOD, GOOD, "{\"text\": \"plain\"}").startsWith(f + " line 3: expected an object with \"messages\""));
        assertTrue(errorOf("{\"messages\": \"hi\"}").contains("line 1: \"messages\" must be a list"));
        assertTrue(errorOf("{\"messages\": []}").contains("line 1: empty conversation"));
        assertTrue(errorOf("{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}")
                .contains("line 1: no assistant turn"));
        String role = errorOf(GOOD, "{\"messages\": [{\"role\": \"human\", \"content\": \"x\"}]}");
        assertTrue(role.startsWith(f + " line 2: message 0: role \"human\" is not one of [system, user, assistant]"), role);
        String tool = errorOf("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"tool\", \"content\": \"42\"}]}");
        assertTrue(tool.contains("line 1: message 1: role \"tool\" is not supported"), tool);
        assertTrue(errorOf("{\"messages\": [{\"role\": \"assistant\", \"content\": null}]}")
                .contains("message 0 (assistant) has no string \"content\""));
        assertTrue(errorOf("{\"messages\": [{\"role\": \"user\"}]}").contains("message 0 (user) has no string \"content\""));
        assertTrue(errorOf("{\"messages\": [\"hi\"]}").contains("message 0 is not an object"));
        assertTrue(errorOf("{\"messages\": [{\"content\": \"x\"}]}").contains("message 0 has no string \"role\""));
    }

    @Test
    void anErrorComesOnlyWhenItsLineIsReached() throws Exception {
        ChatJsonlSource src = new ChatJsonlSource(write(GOOD, "{broken"));
        try (ChatJsonlSource.Conversations c = src.conversations()) {
            assertEquals("Hi", c.next().messages().get(0).content());
            assertTrue(c.hasNext());
            assertThrows(IllegalArgumentException.class, c::next);
        }
    }

    @Test
    void missingOrEmptyFilesAreRefusedUpFront() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ChatJsonlSource(dir.resolve("none.jsonl")))
                .getMessage().contains("not found"));
        Path empty = write("", " ");
        String msg = assertThrows(IllegalArgumentException.class, () -> new ChatJsonlSource(empty)).getMessage();
        assertTrue(msg.contains("is empty") && msg.contains("\"messages\""), msg);
    }

    @Test
    void chatMessageValidatesRoleAndContent() {
        assertTrue(new ChatMessage("assistant", "").isAssistant());
        assertFalse(new ChatMessage("user", "x").isAssistant());
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("bot", "x"));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ChatMessage("tool", "x"))
                .getMessage().contains("not supported"));
    }
}
