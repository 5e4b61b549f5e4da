package membank.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.TokenizerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} (the Rust tokenizer through DJL's binding), set up so
 * that ids are exactly what the text encodes: no truncation, no padding, no special tokens added,
 * no "clean-up" of spaces on decode. The caller adds BOS/EOS where it wants them.
 */
public final class Tokenizer implements AutoCloseable {

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "truncation", "false",
            "padding", "false",
            "withOverflowingTokens", "false");

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final int vocabSize;
    private final OptionalInt eosId;
    private final OptionalInt bosId;

    private Tokenizer(HuggingFaceTokenizer hf, Path file, Vocabulary vocab, SpecialTokens specials) {
        this.hf = hf;
        this.file = file;
        this.vocabSize = vocab.size();
        this.eosId = specials.eos();
        this.bosId = specials.bos();
    }

    /**
     * Loads a tokenizer.json, given as the file or as a directory that contains it (a Hugging
     * Face model folder). config.json and tokenizer_config.json beside it, when present, are read
     * only to find the BOS/EOS ids.
     *
     * @throws IllegalArgumentException when the file is missing or is not a valid tokenizer
     */
    public static Tokenizer load(Path tokenizerJsonOrDir) {
        Path file = Files.isDirectory(tokenizerJsonOrDir)
                ? tokenizerJsonOrDir.resolve("tokenizer.json") : tokenizerJsonOrDir;
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("tokenizer.json not found or not readable: " + file
                    + " (pass a tokenizer.json file or a model directory that contains one)");
        }
        byte[] bytes = readAll(file);
        ObjectMapper mapper = new ObjectMapper();
        Vocabulary vocab = new Vocabulary(parse(file, bytes, mapper));
        if (vocab.size() == 0) {
            throw new IllegalArgumentException("tokenizer.json has no vocabulary: " + file
                    + " (is it really a Hugging Face tokenizer.json?)");
        }
        Path dir = file.toAbsolutePath().getParent();
        return new Tokenizer(open(file, bytes), file, vocab, new SpecialTokens(vocab, dir, mapper));
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(Path file, byte[] bytes, ObjectMapper mapper) {
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root == null || !root.isObject() || !root.has("model")) {
                throw new IllegalArgumentException("not a Hugging Face tokenizer.json (no \"model\"): "
                        + file + " (re-download or regenerate the file)");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + file + ": "
                    + e.getOriginalMessage() + " (re-download or regenerate the file)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static HuggingFaceTokenizer open(Path file, byte[] bytes) {
        optOutOfTracking();
        try {
            // An empty TokenizerConfig: DJL would otherwise apply tokenizer_config.json's
            // clean_up_tokenization_spaces / strip_accents in Java and change the text.
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), OPTIONS,
                    new TokenizerConfig());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the Hugging Face tokenizer rejected " + file + ": "
                    + e.getMessage() + " (re-download or regenerate the file)", e);
        }
    }

    /**
     * DJL otherwise probes the cloud metadata address on load to report usage; membank runs
     * offline and must send no traffic beyond what the user asked for.
     */
    private static void optOutOfTracking() {
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** The ids of {@code text}, with no special tokens added. */
    public int[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** The text of {@code ids}; special tokens are kept as their text, bytes that are not valid UTF-8 become U+FFFD. */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is out of range [0, " + vocabSize + ") for " + file);
            }
            longs[i] = ids[i];
        }
        return hf.decode(longs, false);
    }

    /** One more than the largest id in the file (the model's embedding may be larger). */
    public int vocabSize() {
        return vocabSize;
    }

    public OptionalInt eosId() {
        return eosId;
    }

    public OptionalInt bosId() {
        return bosId;
    }

    /** A fresh decoder for one stream of generated ids. */
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this);
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + file + ", vocabSize=" + vocabSize + "]";
    }
}
