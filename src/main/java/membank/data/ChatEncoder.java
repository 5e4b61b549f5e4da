package membank.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns conversations into training examples for a chat model: the model's own chat template
 * renders the text, the model's tokenizer encodes it, and only the assistant replies count in
 * the loss (see {@link ChatSpans} for how they are found).
 */
public final class ChatEncoder {

    private final ChatTemplate template;
    private final Tokenizer tokenizer;

    public ChatEncoder(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
    }

    /**
     * Each piece is encoded on its own, so a reply's tokens are what the model would generate
     * after the prompt's tokens, and no token straddles the boundary between prompt and reply.
     *
     * @throws IllegalArgumentException naming the conversation's origin when its rendering
     *     cannot be cut into prompt and replies
     */
    public ChatExample encode(Conversation conversation) {
        List<int[]> pieces = new ArrayList<>();
        List<Boolean> kinds = new ArrayList<>();
        int total = 0;
        for (ChatSpans.Span span : ChatSpans.of(template, conversation)) {
            int[] ids = tokenizer.encode(span.text());
            pieces.add(ids);
            kinds.add(span.trained());
            total += ids.length;
        }
        int[] ids = new int[total];
        boolean[] trained = new boolean[total];
        int at = 0;
        for (int p = 0; p < pieces.size(); p++) {
            System.arraycopy(pieces.get(p), 0, ids, at, pieces.get(p).length);
            Arrays.fill(trained, at, at + pieces.get(p).length, kinds.get(p));
            at += pieces.get(p).length;
        }
        return new ChatExample(ids, trained, conversation.origin());
    }

    /** The same for messages held in memory. */
    public ChatExample encode(List<ChatMessage> messages) {
        return encode(new Conversation(messages, "conversation"));
    }

    public ChatTemplate template() {
        return template;
    }
}
