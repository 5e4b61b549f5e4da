package membank.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat format: its Hugging Face {@code chat_template} (Jinja, rendered by jinjava),
 * turning messages into the exact text the model was tuned on, as
 * {@code tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} does.
 */
public final class ChatTemplate {

    private final String template;
    private final Map<String, String> tokens;
    private final String origin;
    private final HfJinja jinja = new HfJinja();

    private ChatTemplate(ChatTemplateFile file) {
        this.template = HfJinja.prepare(file.template());
        this.tokens = Map.copyOf(file.tokens());
        this.origin = file.origin();
    }

    /**
     * Loads the template of a Hugging Face model folder ({@code tokenizer_config.json}, or
     * {@code chat_template.jinja} beside it), of a {@code tokenizer_config.json} file, or of a
     * {@code .jinja} file.
     *
     * @throws IllegalArgumentException when there is no template, naming the file and what to do
     */
    public static ChatTemplate load(Path modelDirOrFile) {
        return new ChatTemplate(ChatTemplateFile.read(modelDirOrFile));
    }

    /** A template given as text, with the special tokens it refers to (e.g. "eos_token" to "&lt;/s&gt;"). */
    public static ChatTemplate of(String template, Map<String, String> specialTokens) {
        return new ChatTemplate(new ChatTemplateFile(template, specialTokens, "a template given as text"));
    }

    /**
     * The conversation as the model's text. With {@code addGenerationPrompt}, the text ends with
     * the header that opens the assistant's reply (e.g. {@code <|im_start|>assistant\n}).
     *
     * @throws IllegalArgumentException when the template fails or rejects the conversation
     *     ({@code raise_exception}), with its message
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> values = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            values.add(m.asTemplateValue());
        }
        Map<String, Object> vars = new HashMap<>(tokens);
        vars.put("messages", values);
        vars.put("add_generation_prompt", addGenerationPrompt);
        return jinja.renderStrict(template, vars, origin);
    }

    /** The file the template came from, for messages. */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + origin + "]";
    }
}
