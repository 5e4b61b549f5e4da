package membank.data;

import java.util.function.Function;

/**
 * Documents and how each becomes token ids: one side of a train/validation split (the token-level
 * split encodes the same documents differently for each side).
 */
public record EncodedDocuments(TextSource documents, Function<String, int[]> encoder) {

    /** The ids one pass gives the packer (each document's ids and its EOS), counted until {@code cap}. */
    public long streamTokens(long cap) {
        long tokens = 0;
        try (Documents docs = documents.documents(0)) {
            while (tokens < cap && docs.hasNext()) {
                tokens += encoder.apply(docs.next()).length + 1;
            }
        }
        return tokens;
    }
}
