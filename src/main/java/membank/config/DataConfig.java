package membank.config;

/**
 * What to train on: {@code kind} is {@code knowledge} (the synthetic knowledge set, sized by
 * {@code entities} and seeded by {@code knowledgeSeed}), {@code text} or {@code jsonl} (documents
 * from plain text and/or {"text": ...} JSONL at {@code path}: a file, a folder, gzip or not) or
 * {@code chat} (conversations from {"messages": [...]} JSONL, trained on assistant replies only).
 * {@code tokenizer} is {@code "byte"} (membank's byte-level tokenizer), {@code "word"} (the
 * knowledge set's word-level tokenizer, knowledge data only) or a path to a tokenizer.json. {@code split} is null until a run has chosen how to hold out validation data.
 */
public record DataConfig(String kind, String path, int entities, long knowledgeSeed,
                         double valFraction, String tokenizer, SplitConfig split) {
    public static final String KNOWLEDGE = "knowledge";
    public static final String TEXT = "text";
    public static final String JSONL = "jsonl";
    public static final String CHAT = "chat";
    public static final String BYTE = "byte";
    public static final String WORD = "word";

    /** A data block whose split is still to be chosen. */
    public DataConfig(String kind, String path, int entities, long knowledgeSeed, double valFraction, String tokenizer) {
        this(kind, path, entities, knowledgeSeed, valFraction, tokenizer, null);
    }

    public DataConfig withSplit(SplitConfig chosen) {
        return new DataConfig(kind, path, entities, knowledgeSeed, valFraction, tokenizer, chosen);
    }

    public DataConfig withTokenizer(String spec) {
        return new DataConfig(kind, path, entities, knowledgeSeed, valFraction, spec, split);
    }

    /** Every round(1 / val_fraction)-th document, at least every 2nd: the document rule's default. */
    public int holdOutEvery() {
        return (int) Math.max(2, Math.min(Integer.MAX_VALUE, Math.round(1 / valFraction)));
    }
}
