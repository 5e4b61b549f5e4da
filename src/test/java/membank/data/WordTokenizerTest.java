package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.experiment.InstructData;

class WordTokenizerTest {

    @TempDir
    static Path dir;
    static Tokenizer tok;
    static KnowledgeSet set;
    static int unk;

    @BeforeAll
    static void load() throws Exception {
        WordTokenizer.write(dir.resolve("tokenizer.json"));
        tok = Tokenizer.load(dir.resolve("tokenizer.json"));
        set = KnowledgeSet.generate(new KnowledgeSpec(200, 7));
        unk = WordTokenizer.SPECIALS.indexOf(WordTokenizer.UNK);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** Every sentence, prompt, answer and question the knowledge set renders comes back exactly, with no unknown token. */
    @Test
    void everyRenderedTextRoundTrips() {
        List<String> texts = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            texts.addAll(set.trainDocuments(epoch));
        }
        for (Split split : Split.values()) {
            for (Probe p : set.probes(split)) {
                texts.add(p.prompt());
                texts.add(p.answer());
                texts.add(p.prompt() + p.answer() + ".");
            }
        }
        for (QaPair q : set.qaPairs()) {
            texts.add(q.question());
            texts.add(q.answer());
            texts.add(InstructData.render(q));
        }
        for (Attribute a : Attribute.values()) {
            for (Split split : Split.values()) {
                for (Template t : a.templates(split)) {
                    a.choices().forEach(v -> texts.add(t.render("Ada Abbott", v)));
                }
            }
        }
        // Middle initials appear only past 2,500 people.
        KnowledgeSet.generate(new KnowledgeSpec(3000, 1)).entities().forEach(e -> texts.add(e.name() + "'s pet is a cat."));
        for (String s : texts) {
            int[] ids = tok.encode(s);
            assertFalse(IntStream.of(ids).anyMatch(id -> id == unk), () -> "unknown token in: " + s);
            assertEquals(s, tok.decode(ids), () -> "round trip of: " + s);
        }
    }

    /** Probes encode prompt and answer apart; together they must be the sentence's own ids. */
    @Test
    void promptThenAnswerIdsAreTheSentenceIds() {
        for (Split split : Split.values()) {
            for (Probe p : set.probes(split)) {
                int[] whole = tok.encode(p.prompt() + p.answer());
                int[] prompt = tok.encode(p.prompt());
                int[] answer = tok.encode(p.answer());
                int[] joined = IntStream.concat(IntStream.of(prompt), IntStream.of(answer)).toArray();
                assertArrayEquals(whole, joined, p::toString);
            }
        }
    }

    @Test
    void valuesAreAFewTokensAndSentencesSeveralTimesShorterThanBytes() {
        for (Attribute a : Attribute.values()) {
            for (String v : a.choices()) {
                assertTrue(tok.encode(" " + v).length <= 2, v);
                assertTrue(tok.encode(v).length <= 2, v);
            }
        }
        long words = 0;
        long bytes = 0;
        for (String doc : set.trainDocuments()) {
            words += tok.encode(doc).length;
            bytes += doc.getBytes(StandardCharsets.UTF_8).length;
        }
        assertTrue(bytes >= 4 * words, "bytes " + bytes + ", word tokens " + words);
    }

    @Test
    void idsAreTheSameFromEveryWrittenFile() throws Exception {
        Path again = dir.resolve("again").resolve("tokenizer.json");
        java.nio.file.Files.createDirectories(again.getParent());
        WordTokenizer.write(again);
        String doc = set.trainDocuments().get(0);
        try (Tokenizer other = Tokenizer.load(again)) {
            assertArrayEquals(tok.encode(doc), other.encode(doc));
            assertEquals(WordTokenizer.vocabSize(), other.vocabSize());
        }
        assertEquals(WordTokenizer.vocabSize(), tok.vocabSize());
        assertEquals(WordTokenizer.SPECIALS.indexOf(WordTokenizer.EOS), WordTokenizer.EOS_ID);
        assertEquals(WordTokenizer.SPECIALS.indexOf(WordTokenizer.BOS), WordTokenizer.BOS_ID);
        assertEquals(WordTokenizer.EOS_ID, tok.eosId().getAsInt());
        assertEquals(WordTokenizer.BOS_ID, tok.bosId().getAsInt());
    }

    @Test
    void textOutsideTheVocabularyBecomesUnknown() {
        int[] ids = tok.encode("Ada owns a spaceship.");
        assertTrue(IntStream.of(ids).anyMatch(id -> id == unk));
    }
}
