package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextSourceTest {

    @TempDir
    Path dir;

    static List<String> all(TextSource src, int epoch) {
        List<String> out = new ArrayList<>();
        try (Documents d = src.documents(epoch)) {
            d.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void folderIsRecursiveSortedAndSkipsOtherFiles() throws Exception {
        Files.createDirectories(dir.resolve("b/c"));
        Files.writeString(dir.resolve("b/c/z.txt"), "third");
        Files.writeString(dir.resolve("a.txt"), "first\nline two\n");
        Files.writeString(dir.resolve("b/a.txt"), "second ünïcödé 日本");
        Files.writeString(dir.resolve("b/empty.txt"), "");
        Files.writeString(dir.resolve("notes.md"), "ignored");
        TextSource src = TextSource.open(dir);
        assertEquals(List.of("first\nline two\n", "second ünïcödé 日本", "third"), all(src, 0));
        assertEquals(all(src, 0), all(src, 1), "files give the same documents every epoch");
    }

    @Test
    void longFilesAreCutAtLineBreaksWithoutLosingText() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("line ").append(i).append(" 😀\n");
        }
        sb.append("x".repeat(150));
        Files.writeString(dir.resolve("big.txt"), sb.toString());
        List<String> pieces = all(new FolderSource("big", List.of(InputFile.detect(dir.resolve("big.txt"))), 64), 0);
        assertTrue(pieces.size() > 10);
        assertEquals(sb.toString(), String.join("", pieces));
        for (String p : pieces) {
            assertTrue(p.length() <= 64);
            assertTrue(!Character.isHighSurrogate(p.charAt(p.length() - 1)));
        }
    }

    @Test
    void emptyOrMissingFolderIsAnErrorNamingThePath() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextSource.folder(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(".txt"), e.getMessage());
        Files.writeString(dir.resolve("empty.txt"), "");
        assertThrows(IllegalArgumentException.class, () -> TextSource.folder(dir));
        Path missing = dir.resolve("missing");
        e = assertThrows(IllegalArgumentException.class, () -> TextSource.folder(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSource.open(dir.resolve("nope.txt")));
        assertTrue(e.getMessage().contains("nope.txt"), e.getMessage());
    }

    @Test
    void singleTextFileAndNonUtf8Text() throws Exception {
        Path f = dir.resolve("one.txt");
        Files.writeString(f, "just one document");
        assertEquals(List.of("just one document"), all(TextSource.open(f), 0));
        Files.write(f, new byte[] {'o', 'k', (byte) 0xFF, (byte) 0xFE});
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> all(TextSource.open(f), 0));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void jsonlReadsTextFieldsAndSkipsBlankLines() throws Exception {
        Path f = dir.resolve("c.jsonl");
        Files.writeString(f, "{\"text\": \"one\", \"id\": 1}\n\n{\"text\": \"two\\nlines\"}\n   \n{\"text\": \"\"}\n");
        assertEquals(List.of("one", "two\nlines", ""), all(TextSource.open(f), 0));
    }

    @Test
    void badJsonlLineNamesFileAndLineNumber() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"text\": \"ok\"}\n\n{\"text\": oops}\n");
        try (Documents d = TextSource.jsonl(f).documents(0)) {
            assertEquals("ok", d.next());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, d::next);
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 3"), e.getMessage());
        }
        Files.writeString(f, "{\"text\": 5}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> all(TextSource.jsonl(f), 0));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("\"text\""), e.getMessage());
        Files.writeString(f, "[1, 2]\n");
        assertThrows(IllegalArgumentException.class, () -> all(TextSource.jsonl(f), 0));
    }

    @Test
    void emptyOrMissingJsonlIsAnErrorNamingThePath() throws Exception {
        Path f = dir.resolve("empty.jsonl");
        Files.writeString(f, "\n  \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextSource.jsonl(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSource.jsonl(dir.resolve("no.jsonl")));
        assertTrue(e.getMessage().contains("no.jsonl"), e.getMessage());
    }

    @Test
    void inMemoryShuffleIsSeededAndChangesPerEpoch() {
        List<String> docs = IntStream.range(0, 50).mapToObj(i -> "doc" + i).toList();
        TextSource src = TextSource.of(docs).shuffled(9);
        assertEquals(all(src, 0), all(TextSource.of(docs).shuffled(9), 0));
        assertNotEquals(docs, all(src, 0));
        assertNotEquals(all(src, 0), all(src, 1));
        assertEquals(new HashSet<>(docs), new HashSet<>(all(src, 1)));
        assertEquals(docs, all(TextSource.of(docs), 5));
        assertThrows(IllegalArgumentException.class, () -> TextSource.of(List.of()));
    }

    @Test
    void streamedSourcesRefuseToShuffle() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> TextSource.folder(dir).shuffled(1));
        assertTrue(e.getMessage().contains(dir.toString()));
    }

    @Test
    void everyKthSplitIsDisjointAndCompleteForMemoryAndFiles() throws Exception {
        List<String> docs = IntStream.range(0, 20).mapToObj(i -> "doc" + i).toList();
        Path f = dir.resolve("c.jsonl");
        StringBuilder sb = new StringBuilder();
        docs.forEach(d -> sb.append("{\"text\":\"").append(d).append("\"}\n"));
        Files.writeString(f, sb);
        for (TextSource src : List.of(TextSource.of(docs), TextSource.of(docs).shuffled(3), TextSource.jsonl(f))) {
            TrainValidation tv = TrainValidation.everyKth(src, 5);
            for (int epoch = 0; epoch < 3; epoch++) {
                List<String> val = all(tv.validation(), epoch);
                assertEquals(new HashSet<>(List.of("doc4", "doc9", "doc14", "doc19")), new HashSet<>(val));
                List<String> train = all(tv.train(), epoch);
                assertEquals(16, train.size());
                train.forEach(d -> assertTrue(!val.contains(d)));
            }
        }
        // Split then shuffle keeps the split; shuffling the training part works too.
        TextSource train = TrainValidation.everyKth(TextSource.of(docs), 5).train().shuffled(1);
        assertEquals(16, new HashSet<>(all(train, 0)).size());
        assertThrows(IllegalArgumentException.class, () -> TrainValidation.everyKth(TextSource.of(docs), 1));
    }
}
