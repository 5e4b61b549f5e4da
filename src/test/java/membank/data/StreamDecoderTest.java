package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamDecoderTest {

    @TempDir
    Path dir;

    @Test
    void holdsBackIncompleteUtf8UntilTheCharacterIsComplete() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.load(dir)) {
            StreamDecoder dec = tok.streamDecoder();
            List<String> pieces = new ArrayList<>();
            for (int id : tok.encode("a😀b")) {
                pieces.add(dec.push(id));
            }
            assertEquals(List.of("a", "", "", "", "😀", "b"), pieces);
            assertEquals("", dec.finish());
        }
    }

    @Test
    void concatenatedPiecesEqualTheText() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        Random rnd = new Random(7);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            for (int n = 0; n < 50; n++) {
                String s = ByteTokenizerTest.randomString(rnd, 30);
                StreamDecoder dec = tok.streamDecoder();
                StringBuilder out = new StringBuilder();
                for (int id : tok.encode(s)) {
                    out.append(dec.push(id));
                }
                out.append(dec.finish());
                assertEquals(s, out.toString());
            }
        }
    }

    @Test
    void finishReleasesBytesThatNeverCompleteACharacter() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.load(dir)) {
            StreamDecoder dec = tok.streamDecoder();
            assertEquals("x", dec.push('x'));
            assertEquals("", dec.push(0xF0));
            assertEquals("\uFFFD", dec.finish());
        }
    }
}
