package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a --data path holds: kinds by name or content, gzip by magic bytes, folders of mixed files. */
class DataInputTest {
    private static final String CHAT_LINE = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
            + " {\"role\": \"assistant\", \"content\": \"Hello.\"}]}";

    @TempDir
    Path dir;

    static void gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFileWhoseNameSaysNothingIsToldByItsFirstRecord() throws Exception {
        Path plain = Files.writeString(dir.resolve("notes"), "\n\nDear diary, {not json} today.\n");
        Path texts = Files.writeString(dir.resolve("texts"), "\n  {\"text\": \"one\", \"id\": 3}\n{\"text\": \"two\"}\n");
        Path chat = Files.writeString(dir.resolve("chat.data"), CHAT_LINE + "\n");
        Path number = Files.writeString(dir.resolve("year"), "1969 was the year\n");
        assertEquals(InputKind.TEXT, DataInput.of(plain).files().get(0).kind());
        assertEquals(InputKind.JSONL, DataInput.of(texts).files().get(0).kind());
        assertEquals(InputKind.CHAT, DataInput.of(chat).files().get(0).kind());
        assertEquals(InputKind.TEXT, DataInput.of(number).files().get(0).kind());
        assertEquals(List.of("one", "two"), TextSourceTest.all(DataInput.of(texts).documents(), 0));
        assertEquals(List.of("\n\nDear diary, {not json} today.\n"), TextSourceTest.all(TextSource.open(plain), 0));
        assertTrue(DataInput.of(chat).isChat());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataInput.of(chat).documents());
        assertTrue(e.getMessage().contains("conversations") && e.getMessage().contains("chat"), e.getMessage());
    }

    @Test
    void aNameThatSaysTextWinsOverContent() throws Exception {
        Path txt = Files.writeString(dir.resolve("looks-like.txt"), "{\"text\": \"json inside a .txt\"}\n");
        assertEquals(List.of("{\"text\": \"json inside a .txt\"}\n"), TextSourceTest.all(TextSource.open(txt), 0));
    }

    @Test
    void aJsonObjectWithNeitherKeyIsRefusedRatherThanTrainedOnAsText() throws Exception {
        Path odd = Files.writeString(dir.resolve("records"), "{\"body\": \"x\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataInput.of(odd));
        assertTrue(e.getMessage().contains(odd.toString()) && e.getMessage().contains("\"text\"")
                && e.getMessage().contains(".txt"), e.getMessage());
    }

    @Test
    void gzipIsToldByItsMagicBytesWhateverTheName() throws Exception {
        Path hidden = dir.resolve("corpus.bin");
        gzip(hidden, "plain words, compressed\n");
        Path jsonl = dir.resolve("texts.jsonl.gz");
        gzip(jsonl, "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
        Path chat = dir.resolve("chats.gz");
        gzip(chat, CHAT_LINE + "\n" + CHAT_LINE + "\n");

        DataInput plain = DataInput.of(hidden);
        assertTrue(plain.files().get(0).gzip());
        assertEquals(List.of("plain words, compressed\n"), TextSourceTest.all(plain.documents(), 0));
        assertTrue(plain.describe().contains("plain text (gzip), 1 file"), plain.describe());
        assertEquals(List.of("a", "b"), TextSourceTest.all(DataInput.of(jsonl).documents(), 0));
        DataInput conversations = DataInput.of(chat);
        assertTrue(conversations.isChat());
        try (ChatJsonlSource.Conversations c = conversations.conversations().conversations()) {
            assertEquals("Hello.", c.next().messages().get(1).content());
            assertTrue(c.hasNext());
        }
        Path notGzip = Files.writeString(dir.resolve("plain.gz"), "named .gz but plain\n");
        assertFalse(DataInput.of(notGzip).files().get(0).gzip());
    }

    @Test
    void aFolderReadsTextAndJsonlFilesInPathOrderAndSaysWhatItIgnored() throws Exception {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("a.txt"), "first");
        gzip(dir.resolve("b/c.jsonl.gz"), "{\"text\": \"third\"}\n{\"text\": \"fourth\"}\n");
        Files.writeString(dir.resolve("b/b.txt"), "second");
        Files.writeString(dir.resolve("b/empty.jsonl"), "");
        Files.writeString(dir.resolve("readme.md"), "not data");
        DataInput input = DataInput.of(dir);
        assertEquals(List.of("first", "second", "third", "fourth"), TextSourceTest.all(input.documents(), 0));
        String said = input.describe();
        assertTrue(said.startsWith(dir + ": plain text and JSONL text (1 gzip), 3 files, "), said);
        assertTrue(said.endsWith("; 1 other file ignored (not .txt or .jsonl)"), said);
    }

    @Test
    void aFolderOfChatFilesGivesTheirConversationsInTurnWithTheirOwnLineNumbers() throws Exception {
        Files.writeString(dir.resolve("a.jsonl"), CHAT_LINE + "\n\n" + CHAT_LINE + "\n");
        gzip(dir.resolve("b.jsonl.gz"), "\n{\"messages\": 5}\n");
        DataInput input = DataInput.of(dir);
        assertTrue(input.isChat());
        try (ChatJsonlSource.Conversations c = input.conversations().conversations()) {
            assertEquals("Hi", c.next().messages().get(0).content());
            assertEquals("a.jsonl line 3", c.next().origin().substring(dir.toString().length() + 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::next);
            assertTrue(e.getMessage().contains("b.jsonl.gz line 2"), e.getMessage());
        }
    }

    @Test
    void aFolderMixingConversationsWithDocumentsIsRefused() throws Exception {
        Files.writeString(dir.resolve("a.jsonl"), CHAT_LINE + "\n");
        Files.writeString(dir.resolve("b.txt"), "text");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataInput.of(dir));
        assertTrue(e.getMessage().contains("a.jsonl") && e.getMessage().contains("b.txt")
                && e.getMessage().contains("separate folders"), e.getMessage());
    }

    @Test
    void theLogLineNamesTheFileItsKindAndSize() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "x".repeat(4200));
        assertEquals(notes + ": plain text, 1 file, 4.2 KB", DataInput.of(notes).describe());
        assertEquals("999 B", DataInput.size(999));
        assertEquals("3.1 MB", DataInput.size(3_100_000));
        Files.writeString(notes, "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataInput.of(notes));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataInput.of(dir.resolve("missing.txt")));
        assertTrue(e.getMessage().contains("missing.txt"), e.getMessage());
    }

    /** A stray Windows-1252 byte (as in Webster's 1913): refused by default, naming the option; read as U+FFFD with it. */
    @Test
    void bytesThatAreNotUtf8FailOrAreReplaced() throws Exception {
        Path file = dir.resolve("stray.dict.dz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("the market".getBytes(StandardCharsets.US_ASCII));
            out.write(0x92);
            out.write("s drop\n".getBytes(StandardCharsets.US_ASCII));
        }
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> TextSourceTest.all(DataInput.of(file).documents(), 0));
        assertTrue(e.getMessage().contains("training.data.utf8_errors=replace") && e.getMessage().contains("stray.dict.dz"),
                e.getMessage());
        assertEquals(List.of("the market\uFFFDs drop\n"), TextSourceTest.all(DataInput.of(file).replacingInvalidUtf8().documents(), 0));
    }
}
