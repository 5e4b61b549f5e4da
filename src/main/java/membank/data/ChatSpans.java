package membank.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a rendered conversation into the text the model learns to write (each assistant reply
 * with the end-of-turn token after it) and the text it only reads (system and user turns, the
 * template's role headers). The cuts come from the template itself, by rendering prefixes of the
 * conversation, never from guessed marker strings:
 * <ul>
 *   <li>the reply to message i starts where {@code render(messages[0..i), add_generation_prompt=true)}
 *       ends: that is exactly the prompt the model sees at inference;</li>
 *   <li>it ends where {@code render(messages[0..i])} ends, less trailing whitespace (template
 *       layout after the end-of-turn token, which the model never writes: it stops at that token).</li>
 * </ul>
 * Both prefixes must be prefixes of the whole conversation's text; a template that renders an
 * earlier turn differently once later turns exist is refused, since no cut would be right.
 */
final class ChatSpans {

    /** A piece of the rendered conversation; {@code trained} pieces count in the loss. */
    record Span(String text, boolean trained) {
    }

    private ChatSpans() {
    }

    /** @throws IllegalArgumentException naming {@code conversation.origin()} when the rendering is not prefix-consistent */
    static List<Span> of(ChatTemplate template, Conversation conversation) {
        List<ChatMessage> messages = conversation.messages();
        String full = template.render(messages, false);
        List<Span> spans = new ArrayList<>();
        int done = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).isAssistant()) {
                continue;
            }
            String prompt = template.render(messages.subList(0, i), true);
            String through = template.render(messages.subList(0, i + 1), false);
            requirePrefix(prompt, full, done, conversation, template, i, "with the generation prompt");
            requirePrefix(through, full, prompt.length(), conversation, template, i + 1, "");
            int end = prompt.length() + stripTrailing(through.substring(prompt.length())).length();
            add(spans, full.substring(done, prompt.length()), false);
            add(spans, full.substring(prompt.length(), end), true);
            done = end;
        }
        add(spans, full.substring(done), false);
        return spans;
    }

    /** {@code part} must be the start of {@code full} and reach at least {@code from}. */
    private static void requirePrefix(String part, String full, int from, Conversation conversation,
            ChatTemplate template, int count, String how) {
        if (part.length() >= from && full.startsWith(part)) {
            return;
        }
        throw new IllegalArgumentException(conversation.origin() + ": the chat template of " + template.origin()
                + " renders the first " + count + " message(s) " + (how.isEmpty() ? "" : how + " ")
                + "differently from how it renders them inside the whole conversation, so the assistant's "
                + "tokens cannot be cut out reliably (templates that rewrite earlier turns do this, e.g. "
                + "Qwen3 drops past <think> blocks). Split this conversation into one example per "
                + "assistant turn, or use a template that renders turns independently");
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Adjacent pieces of the same kind are merged, and empty ones dropped. */
    private static void add(List<Span> spans, String text, boolean trained) {
        if (text.isEmpty()) {
            return;
        }
        int last = spans.size() - 1;
        if (last >= 0 && spans.get(last).trained() == trained) {
            spans.set(last, new Span(spans.get(last).text() + text, trained));
        } else {
            spans.add(new Span(text, trained));
        }
    }
}
