package membank.config;

/**
 * What to train on: {@code kind} is {@code knowledge} (the synthetic knowledge set, sized by
 * {@code entities} and seeded by {@code knowledgeSeed}), {@code text} (a folder of .txt files) or
 * {@code jsonl} (a file of {"text": ...} lines) or {@code chat} (a file of {"messages": [...]} lines,
 * trained on assistant replies only) at {@code path}. {@code tokenizer} is
 * {@code "byte"} (membank's byte-level tokenizer) or a path to a tokenizer.json.
 */
public record DataConfig(String kind, String path, int entities, long knowledgeSeed,
                         double valFraction, String tokenizer) {
    public static final String KNOWLEDGE = "knowledge";
    public static final String TEXT = "text";
    public static final String JSONL = "jsonl";
    public static final String CHAT = "chat";
}
