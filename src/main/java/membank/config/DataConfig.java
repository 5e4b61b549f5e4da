package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What to train on, the {@code training.data} block (keys and defaults: {@link Builder}):
 * {@code kind} is {@code knowledge} (the synthetic knowledge set, sized by {@code entities} and
 * seeded by {@code knowledgeSeed}), {@code text} or {@code jsonl} (documents from plain text and/or
 * {"text": ...} JSONL at {@code path}: a file, a folder, gzip or not) or {@code chat} (conversations
 * from {"messages": [...]} JSONL, trained on assistant replies only). {@code tokenizer} is
 * {@code "byte"} (membank's byte-level tokenizer), {@code "word"} (the knowledge set's word-level
 * tokenizer, knowledge data only) or a path to a tokenizer.json. {@code split} is null until a run
 * has chosen how to hold out validation data. {@code utf8Errors} says what bytes of a corpus file
 * that are not UTF-8 do: {@code fail} the read (the default: a binary file given by mistake is
 * refused), or {@code replace} them with U+FFFD (real corpora such as Webster's 1913 hold a few
 * stray Windows-1252 bytes).
 */
public record DataConfig(Kind kind, String path, int entities, long knowledgeSeed,
                         double valFraction, String tokenizer, SplitConfig split, Utf8Errors utf8Errors) {
    static final String PATH = "training.data";
    public static final String BYTE = "byte";
    public static final String WORD = "word";

    public enum Kind {
        KNOWLEDGE, TEXT, JSONL, CHAT;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Utf8Errors {
        FAIL, REPLACE;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DataConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(utf8Errors, "utf8_errors");
        if (path == null && kind != Kind.KNOWLEDGE) {
            throw new ConfigException("config key '" + PATH + ".path' is missing: it is required when " + PATH
                    + ".kind is \"" + kind + "\" (" + (kind == Kind.CHAT
                    ? "a .jsonl file of {\"messages\": [...]} lines, a folder of them, or a .gz of either"
                    : "a text file, a .jsonl file of {\"text\": ...} lines, a folder of either, or a .gz of either") + ")");
        }
        Require.positive(PATH + ".entities", entities);
        Require.inRange(PATH + ".val_fraction", valFraction, 0, 1, true);
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (tokenizer.isBlank()) {
            throw new ConfigException(PATH + ".tokenizer", tokenizer,
                    "allowed: \"byte\", \"word\" (with " + PATH + ".kind \"knowledge\") or a path to a tokenizer.json");
        }
        // The word tokenizer knows only the knowledge set's words: any other text would be mostly <|unk|>.
        if (tokenizer.equals(WORD) && kind != Kind.KNOWLEDGE) {
            throw new ConfigException(PATH + ".tokenizer", tokenizer, "the word tokenizer knows only the knowledge"
                    + " set's vocabulary, so it needs " + PATH + ".kind \"knowledge\" (here \"" + kind
                    + "\"); for other data use \"byte\" or a path to a tokenizer.json");
        }
    }

    /** The synthetic knowledge set with the byte tokenizer: every key at its default. */
    public static DataConfig defaults() {
        return new Builder().build();
    }

    public DataConfig withSplit(SplitConfig chosen) {
        return with(b -> b.split(chosen));
    }

    public DataConfig withTokenizer(String spec) {
        return with(b -> b.tokenizer(spec));
    }

    /** The same data with the changes {@code edit} makes, e.g. {@code d.with(b -> b.kind(Kind.TEXT).path(p))}. */
    public DataConfig with(UnaryOperator<Builder> edit) {
        return edit.apply(toBuilder()).build();
    }

    public Builder toBuilder() {
        return new Builder().kind(kind).path(path).entities(entities).knowledgeSeed(knowledgeSeed)
                .valFraction(valFraction).tokenizer(tokenizer).split(split).utf8Errors(utf8Errors);
    }

    public boolean replacesInvalidUtf8() {
        return utf8Errors == Utf8Errors.REPLACE;
    }

    /** Every round(1 / val_fraction)-th document, at least every 2nd: the document rule's default. */
    public int holdOutEvery() {
        return (int) Math.max(2, Math.min(Integer.MAX_VALUE, Math.round(1 / valFraction)));
    }

    /** The block's keys with their defaults. */
    public static final class Builder {
        @JsonProperty("kind")
        private Kind kind = Kind.KNOWLEDGE;
        /** Required unless {@code kind} is knowledge. */
        @JsonProperty("path")
        private String path;
        @JsonProperty("entities")
        private int entities = 200;
        @JsonProperty("knowledge_seed")
        private long knowledgeSeed = 0;
        @JsonProperty("val_fraction")
        private double valFraction = 0.05;
        @JsonProperty("tokenizer")
        private String tokenizer = BYTE;
        @JsonProperty("split")
        private SplitConfig split;
        @JsonProperty("utf8_errors")
        private Utf8Errors utf8Errors = Utf8Errors.FAIL;

        public Builder kind(Kind value) {
            kind = value;
            return this;
        }

        public Builder path(String value) {
            path = value;
            return this;
        }

        public Builder entities(int value) {
            entities = value;
            return this;
        }

        public Builder knowledgeSeed(long value) {
            knowledgeSeed = value;
            return this;
        }

        public Builder valFraction(double value) {
            valFraction = value;
            return this;
        }

        public Builder tokenizer(String value) {
            tokenizer = value;
            return this;
        }

        public Builder split(SplitConfig value) {
            split = value;
            return this;
        }

        public Builder utf8Errors(Utf8Errors value) {
            utf8Errors = value;
            return this;
        }

        public DataConfig build() {
            return new DataConfig(kind, path, entities, knowledgeSeed, valFraction, tokenizer,
                    split, utf8Errors);
        }
    }
}
