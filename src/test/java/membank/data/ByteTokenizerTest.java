package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteTokenizerTest {

    @TempDir
    Path dir;

    private Tokenizer load() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        ByteTokenizer.write(file);
        return Tokenizer.load(file);
    }

    @Test
    void idsAreTheUtf8BytesAndDecodeBack() throws Exception {
        try (Tokenizer tok = load()) {
            for (String s : new String[] {"", "a", "Hello world", "  two  spaces\n\ttab",
                "\u0000\u0001\u001f\u007f", "héllo", "日本語の文章", "emoji 😀👍🏽 mix", "<|eos|", "\r\n"}) {
                assertRoundTrip(tok, s);
            }
        }
    }

    @Test
    void randomUnicodeRoundTrips() throws Exception {
        Random rnd = new Random(1234);
        try (Tokenizer tok = load()) {
            for (int n = 0; n < 500; n++) {
                assertRoundTrip(tok, randomString(rnd, rnd.nextInt(40)));
            }
        }
    }

    @Test
    void everyByteValueIsOneTokenAndSymbolsAreDistinct() throws Exception {
        Set<String> symbols = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            symbols.add(ByteTokenizer.byteSymbol(b));
        }
        assertEquals(256, symbols.size());
        try (Tokenizer tok = load()) {
            assertEquals(ByteTokenizer.VOCAB_SIZE, tok.vocabSize());
            StringBuilder ascii = new StringBuilder();
            for (int b = 0; b < 128; b++) {
                assertArrayEquals(new int[] {b}, tok.encode(String.valueOf((char) b)));
                ascii.append((char) b);
            }
            assertEquals(ascii.toString(), tok.decode(tok.encode(ascii.toString())));
        }
    }

    @Test
    void specialTokensAreKnown() throws Exception {
        try (Tokenizer tok = load()) {
            assertEquals(ByteTokenizer.EOS_ID, tok.eosId().getAsInt());
            assertEquals(ByteTokenizer.BOS_ID, tok.bosId().getAsInt());
            assertArrayEquals(new int[] {ByteTokenizer.EOS_ID}, tok.encode(ByteTokenizer.EOS));
            assertEquals("a" + ByteTokenizer.PAD, tok.decode(new int[] {97, ByteTokenizer.PAD_ID}));
        }
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("sub/tokenizer.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old");
        ByteTokenizer.write(file);
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count());
        }
        try (Tokenizer tok = Tokenizer.load(file.getParent())) {
            assertEquals(ByteTokenizer.VOCAB_SIZE, tok.vocabSize());
        }
    }

    private static void assertRoundTrip(Tokenizer tok, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int[] expected = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            expected[i] = bytes[i] & 0xFF;
        }
        int[] ids = tok.encode(s);
        assertArrayEquals(expected, ids, () -> "ids of " + escape(s));
        assertEquals(s, tok.decode(ids), () -> "decode of " + escape(s));
    }

    /** Mixes ASCII (controls included), Latin, CJK and astral code points; no lone surrogates. */
    static String randomString(Random rnd, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = rnd.nextInt(5);
            int cp = switch (kind) {
                case 0 -> rnd.nextInt(128);
                case 1 -> 0x80 + rnd.nextInt(0x780);
                case 2 -> 0x4E00 + rnd.nextInt(0x5000);
                case 3 -> 0x1F300 + rnd.nextInt(0x300);
                default -> 0x20 + rnd.nextInt(0x5F);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp < 0x20 || cp > 0x7E ? String.format("\\u{%x}", cp) : (char) cp));
        return sb.toString();
    }
}
