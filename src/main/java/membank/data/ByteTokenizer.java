package membank.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import membank.util.AtomicFile;

/**
 * membank's own byte-level tokenizer, written as a Hugging Face {@code tokenizer.json} so that
 * every model, ours or pretrained, goes through the one {@link Tokenizer#load} path.
 *
 * <p>Token id = byte value (0..255) of the UTF-8 encoding, plus three special tokens. It is a BPE
 * model over the 256 ByteLevel symbols with no merges, so every byte stays one token, and the
 * ByteLevel pre-tokenizer runs without its splitting regex so nothing is split or prefixed.
 */
public final class ByteTokenizer {

    public static final int BOS_ID = 256;
    public static final int EOS_ID = 257;
    public static final int PAD_ID = 258;
    public static final int VOCAB_SIZE = 259;

    public static final String BOS = "<|bos|>";
    public static final String EOS = "<|eos|>";
    public static final String PAD = "<|pad|>";

    private ByteTokenizer() {
    }

    /** Writes the tokenizer.json atomically (temporary file, fsync, rename). */
    public static void write(Path tokenizerJson) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        byte[] json = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(build());
        AtomicFile.write(tokenizerJson, json);
    }

    static ObjectNode build() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<Integer, String> specials = new LinkedHashMap<>();
        specials.put(BOS_ID, BOS);
        specials.put(EOS_ID, EOS);
        specials.put(PAD_ID, PAD);
        return TokenizerJson.of(specials, byteLevel(f), byteLevel(f), model(f));
    }

    /** use_regex false: without it GPT-2's word-splitting regex would run; we want raw bytes. */
    private static ObjectNode byteLevel(JsonNodeFactory f) {
        ObjectNode n = f.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", false);
        return n;
    }

    private static ObjectNode model(JsonNodeFactory f) {
        ObjectNode m = f.objectNode();
        m.put("type", "BPE");
        m.putNull("dropout");
        m.putNull("unk_token");
        m.putNull("continuing_subword_prefix");
        m.putNull("end_of_word_suffix");
        m.put("fuse_unk", false);
        m.put("byte_fallback", false);
        m.put("ignore_merges", false);
        ObjectNode vocab = m.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(byteSymbol(b), b);
        }
        m.putArray("merges");
        return m;
    }

    /**
     * The printable character the ByteLevel pre-tokenizer uses for byte {@code b} (GPT-2's table):
     * printable Latin-1 bytes stand for themselves, the other 68 are moved to U+0100 and up, in
     * byte order.
     */
    static String byteSymbol(int b) {
        if (isPrintableLatin1(b)) {
            return String.valueOf((char) b);
        }
        int shifted = 0;
        for (int i = 0; i < b; i++) {
            if (!isPrintableLatin1(i)) {
                shifted++;
            }
        }
        return String.valueOf((char) (256 + shifted));
    }

    private static boolean isPrintableLatin1(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
}
