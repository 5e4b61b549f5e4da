package membank.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

/**
 * What the first record of a file looks like, for telling JSONL from plain text by content. Read
 * with a streaming parser that stops at the first value that is not an object, so a plain text
 * file is never read further than its first word and a long JSON line never held whole.
 */
enum FirstRecord {
    /** An object with "messages": chat. */
    MESSAGES,
    /** An object with "text" (and no "messages"). */
    TEXT,
    /** An object with neither. */
    OTHER_OBJECT,
    /** Anything else: not JSON, or JSON that is not an object. */
    NOT_AN_OBJECT,
    /** Nothing but white space. */
    EMPTY;

    private static final JsonFactory JSON = new JsonFactory();

    static FirstRecord of(InputFile file) {
        try (BufferedReader in = file.open(); JsonParser parser = JSON.createParser(in)) {
            return classify(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + file.path() + " (is it UTF-8 text? A file with a few stray bytes reads with"
                    + " training.data.utf8_errors=replace)", e);
        }
    }

    private static FirstRecord classify(JsonParser parser) throws IOException {
        boolean text = false;
        try {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return EMPTY;
            }
            if (token != JsonToken.START_OBJECT) {
                return NOT_AN_OBJECT;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if ("messages".equals(name)) {
                    return MESSAGES;
                }
                text |= "text".equals(name);
                parser.nextToken();
                parser.skipChildren();
            }
            return text ? TEXT : OTHER_OBJECT;
        } catch (JsonProcessingException e) {
            // A record cut short by a syntax error still tells its kind by the keys read before it.
            return text ? TEXT : NOT_AN_OBJECT;
        }
    }
}
