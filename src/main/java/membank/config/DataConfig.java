package membank.config;

/**
 * What to train on: {@code kind} is {@code knowledge} (the synthetic knowledge set, sized by
 * {@code entities} and seeded by {@code knowledgeSeed}), {@code text} or {@code jsonl} (documents
 * from plain text and/or {"text": ...} JSONL at {@code path}: a file, a folder, gzip or not) or
 * {@code chat} (conversations from {"messages": [...]} JSONL, trained on assistant replies only).
 * {@code tokenizer} is {@code "byte"} (membank's byte-level tokenizer), {@code "word"} (the
 * knowledge set's word-level tokenizer, knowledge data only) or a path to a tokenizer.json. {@code split} is null until a run has chosen how to hold out validation data.
 * {@code utf8Errors} says what bytes of a corpus file that are not UTF-8 do: {@code fail} the read
 * (the default: a binary file given by mistake is refused), or {@code replace} them with U+FFFD
 * (real corpora such as Webster's 1913 hold a few stray Windows-1252 bytes).
 */
public record DataConfig(String kind, String path, int entities, long knowledgeSeed,
                         double valFraction, String tokenizer, SplitConfig split, String utf8Errors) {
    public static final String KNOWLEDGE = "knowledge";
    public static final String TEXT = "text";
    public static final String JSONL = "jsonl";
    public static final String CHAT = "chat";
    public static final String BYTE = "byte";
    public static final String WORD = "word";
    public static final String FAIL = "fail";
    public static final String REPLACE = "replace";

    /** A data block whose split is still to be chosen. */
    public DataConfig(String kind, String path, int entities, long knowledgeSeed, double valFraction, String tokenizer) {
        this(kind, path, entities, knowledgeSeed, valFraction, tokenizer, null, FAIL);
    }

    public DataConfig withSplit(SplitConfig chosen) {
        return new DataConfig(kind, path, entities, knowledgeSeed, valFraction, tokenizer, chosen, utf8Errors);
    }

    public DataConfig withTokenizer(String spec) {
        return new DataConfig(kind, path, entities, knowledgeSeed, valFraction, spec, split, utf8Errors);
    }

    public boolean replacesInvalidUtf8() {
        return REPLACE.equals(utf8Errors);
    }

    /** Every round(1 / val_fraction)-th document, at least every 2nd: the document rule's default. */
    public int holdOutEvery() {
        return (int) Math.max(2, Math.min(Integer.MAX_VALUE, Math.round(1 / valFraction)));
    }
}
