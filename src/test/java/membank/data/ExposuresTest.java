package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExposuresTest {
    @TempDir
    Path tmp;

    /** Two documents of 2 and 3 words: 3 and 4 ids each with EOS, 7 an epoch. */
    private static EncodedDocuments twoDocuments() {
        return new EncodedDocuments(TextSource.of(List.of("a b", "c d e")), text -> new int[text.split(" ").length]);
    }

    @Test
    void countsWholeDocumentsByHand() {
        EncodedDocuments docs = twoDocuments();
        assertEquals(new Exposures.Count(0, 0.0), Exposures.count(docs, 2));
        assertEquals(new Exposures.Count(0, 0.5), Exposures.count(docs, 3));
        assertEquals(new Exposures.Count(1, 1.0), Exposures.count(docs, 7));
        assertEquals(new Exposures.Count(1, 1.5), Exposures.count(docs, 10));
        assertEquals(new Exposures.Count(3, 3.0), Exposures.count(docs, 21));
        assertEquals(14, Exposures.tokensFor(docs, 2));
    }

    /**
     * On the knowledge set, with the word tokenizer: the training stream itself, read id by id,
     * completes exactly as many biographies (EOS ids) as the count says, for each epoch boundary
     * the count must cross (each epoch words the facts anew, so its length differs).
     */
    @Test
    void matchesTheTrainingStreamOnTheKnowledgeSet() throws Exception {
        Path file = tmp.resolve("tokenizer.json");
        WordTokenizer.write(file);
        Tokenizer tokenizer = Tokenizer.load(file);
        KnowledgeSet knowledge = KnowledgeSet.generate(new KnowledgeSpec(3, 0));
        EncodedDocuments docs = new EncodedDocuments(knowledge.trainSource(), tokenizer::encode);
        int eos = WordTokenizer.EOS_ID;
        long needed = Exposures.tokensFor(docs, 5);
        for (long tokens : new long[] {needed - 1, needed, needed + 40, 2 * needed}) {
            long completed = 0;
            try (TokenStream stream = new TokenStream(docs.documents(), docs.encoder(), eos, true)) {
                long[] ids = new long[(int) tokens];
                stream.read(ids, 0, ids.length);
                for (long id : ids) {
                    completed += id == eos ? 1 : 0;
                }
            }
            Exposures.Count count = Exposures.count(docs, tokens);
            assertEquals(completed / 3.0, count.mean(), 1e-12, "after " + tokens + " ids");
            assertEquals(completed / 3, count.min(), "after " + tokens + " ids");
        }
        assertEquals(5, Exposures.count(docs, needed).min());
        assertEquals(4, Exposures.count(docs, needed - 1).min());
    }
}
