package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir
    Path dir;

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("nope/tokenizer.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("pass a tokenizer.json"), e.getMessage());
    }

    @Test
    void directoryWithoutTokenizerNamesTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
    }

    @Test
    void invalidJsonIsRejectedWithThePath() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{ \"model\": ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid JSON"),
                e.getMessage());
    }

    @Test
    void jsonThatIsNotATokenizerIsRejected() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"hello\": 1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        Files.writeString(file, "{\"model\": {\"type\": \"Nonsense\", \"vocab\": {\"a\": 0}}}");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().contains("rejected " + file), e.getMessage());
    }

    @Test
    void decodeRejectsIdsOutOfRange() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.load(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.decode(new int[] {65, 300}));
            assertTrue(e.getMessage().contains("300") && e.getMessage().contains("259"), e.getMessage());
        }
    }

    @Test
    void configFilesOverrideGuessedSpecialTokens() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": {\"content\": \"<|pad|>\"}, \"bos_token\": \"A\"}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(ByteTokenizer.PAD_ID, tok.eosId().getAsInt());
            assertEquals(65, tok.bosId().getAsInt());
        }
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": [10, 11], \"bos_token_id\": 12}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(10, tok.eosId().getAsInt());
            assertEquals(12, tok.bosId().getAsInt());
        }
    }

    @Test
    void brokenSideFilesAreIgnored() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("config.json"), "not json");
        try (Tokenizer tok = Tokenizer.load(dir.resolve("tokenizer.json"))) {
            assertEquals(ByteTokenizer.EOS_ID, tok.eosId().getAsInt());
        }
    }
}
