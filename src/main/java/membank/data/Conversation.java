package membank.data;

import java.util.List;

/**
 * One conversation to train on, with where it came from ("file line 12") so that errors about
 * it, found later while encoding, still point at the input.
 */
public record Conversation(List<ChatMessage> messages, String origin) {

    /** @throws IllegalArgumentException when there are no messages or no assistant turn to learn from */
    public Conversation {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException(origin + ": empty conversation (no messages)");
        }
        if (messages.stream().noneMatch(ChatMessage::isAssistant)) {
            throw new IllegalArgumentException(origin + ": no assistant turn, so nothing to train on");
        }
    }
}
