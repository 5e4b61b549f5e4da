package membank.data;

/** What a corpus file holds, as the run's log names it. */
public enum InputKind {
    /** Plain UTF-8 text; a file is one document (cut at line breaks when very long). */
    TEXT("plain text"),
    /** JSONL whose lines are {"text": ...}; a line is one document. */
    JSONL("JSONL text"),
    /** JSONL whose lines are {"messages": [...]}; a line is one conversation. */
    CHAT("chat JSONL");

    private final String label;

    InputKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
