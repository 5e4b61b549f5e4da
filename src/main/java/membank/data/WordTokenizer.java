package membank.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import membank.util.AtomicFile;

/**
 * A word-level tokenizer for the knowledge set, written as a Hugging Face {@code tokenizer.json}
 * (a {@code WordLevel} model) so that it loads through {@link Tokenizer#load} like any other.
 * Its vocabulary is closed: every word the knowledge set can render (templates, questions, name
 * parts, attribute values, the instruct phase's "Question:"/"Answer:" frame) and its punctuation,
 * so that a fact's value is one or two tokens instead of one per byte.
 *
 * <p>Spaces are kept exactly by Metaspace: a space becomes "▁" joined to the word after it, so
 * " Lisbon" (a probe's answer) and "Lisbon" (a QA answer, a document's first word) are distinct
 * tokens and the decoder turns "▁" back into the space. A Split rule then isolates punctuation,
 * the possessive "'s" and newlines, which are never preceded by a space in rendered text. Together
 * decode(encode(s)) == s for every rendered sentence, and a prompt's ids followed by its answer's
 * ids are the ids of the whole sentence, as the recall probes assume. Anything else becomes
 * {@code <|unk|>}: it is not a tokenizer for free text.
 */
public final class WordTokenizer {

    public static final String PAD = "<|pad|>";
    public static final String UNK = "<|unk|>";
    public static final String BOS = "<|bos|>";
    public static final String EOS = "<|eos|>";
    /** The specials take the first ids, in this order. */
    static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);
    public static final int BOS_ID = 2;
    public static final int EOS_ID = 3;

    static final String SPACE = "\u2581";
    /** What Split isolates from a word; must match what {@link #pieces} cuts in Java. */
    static final String PUNCTUATION = "'s|[.,?:\\n]";
    private static final Pattern PUNCTUATION_PATTERN = Pattern.compile(PUNCTUATION);

    /** The instruct phase's frame around a question (see experiment/InstructData). */
    private static final List<String> EXTRA_TEXT = List.of("Question: ?\nAnswer:");

    private WordTokenizer() {
    }

    /** Writes the tokenizer.json atomically (temporary file, fsync, rename). */
    public static void write(Path tokenizerJson) throws IOException {
        byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(build());
        AtomicFile.write(tokenizerJson, json);
    }

    /** Specials plus vocabulary: the ids are 0 .. size - 1. */
    public static int vocabSize() {
        return SPECIALS.size() + tokens().size();
    }

    /** The non-special tokens, sorted, so ids do not depend on the order of the source lists. */
    static SortedSet<String> tokens() {
        SortedSet<String> tokens = new TreeSet<>();
        for (String text : texts()) {
            for (String word : text.split(" ")) {
                for (String piece : pieces(word)) {
                    tokens.add(piece);
                    if (!PUNCTUATION_PATTERN.matcher(piece).matches()) {
                        tokens.add(SPACE + piece); // any word may follow a space or start a text
                    }
                }
            }
        }
        return tokens;
    }

    /** Everything the knowledge set renders text from, placeholders removed. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (Attribute a : Attribute.values()) {
            for (Split split : Split.values()) {
                for (Template t : a.templates(split)) {
                    texts.add(withoutPlaceholders(t.pattern()));
                }
            }
            texts.add(withoutPlaceholders(a.questionPattern()));
            texts.addAll(a.choices());
        }
        texts.addAll(Names.parts());
        texts.addAll(EXTRA_TEXT);
        return texts;
    }

    private static String withoutPlaceholders(String pattern) {
        return pattern.replace("{name}", "").replace("{value}", "");
    }

    /** A space-free word cut as the Split pre-tokenizer cuts it: punctuation isolated. */
    static List<String> pieces(String word) {
        List<String> pieces = new ArrayList<>();
        Matcher m = PUNCTUATION_PATTERN.matcher(word);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                pieces.add(word.substring(at, m.start()));
            }
            pieces.add(m.group());
            at = m.end();
        }
        if (at < word.length()) {
            pieces.add(word.substring(at));
        }
        pieces.removeIf(p -> p.isEmpty());
        return pieces;
    }

    static ObjectNode build() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<Integer, String> specials = new LinkedHashMap<>();
        for (int id = 0; id < SPECIALS.size(); id++) {
            specials.put(id, SPECIALS.get(id));
        }
        return TokenizerJson.of(specials, preTokenizer(f), metaspace(f), model(f));
    }

    private static ObjectNode preTokenizer(JsonNodeFactory f) {
        ObjectNode seq = f.objectNode();
        seq.put("type", "Sequence");
        ArrayNode steps = seq.putArray("pretokenizers");
        steps.add(metaspace(f));
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PUNCTUATION);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        return seq;
    }

    /**
     * prepend_scheme "never": no space is invented before a text's first word, and so none is
     * removed on decode, which keeps a probe answer's leading space.
     */
    private static ObjectNode metaspace(JsonNodeFactory f) {
        ObjectNode n = f.objectNode();
        n.put("type", "Metaspace");
        n.put("replacement", SPACE);
        n.put("prepend_scheme", "never");
        n.put("split", true);
        return n;
    }

    private static ObjectNode model(JsonNodeFactory f) {
        ObjectNode m = f.objectNode();
        m.put("type", "WordLevel");
        ObjectNode vocab = m.putObject("vocab");
        int id = 0;
        for (String special : SPECIALS) {
            vocab.put(special, id++);
        }
        for (String token : tokens()) {
            vocab.put(token, id++);
        }
        m.put("unk_token", UNK);
        return m;
    }
}
