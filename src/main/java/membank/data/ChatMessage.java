package membank.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One turn of a conversation: who speaks ({@code system}, {@code user} or {@code assistant})
 * and what they say. Tool calls and tool results are not supported.
 */
public record ChatMessage(String role, String content) {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    static final List<String> ROLES = List.of(SYSTEM, USER, ASSISTANT);

    /** @throws IllegalArgumentException on a role other than system, user or assistant, or null content */
    public ChatMessage {
        if (role == null || !ROLES.contains(role)) {
            throw new IllegalArgumentException(roleProblem(role));
        }
        if (content == null) {
            throw new IllegalArgumentException("message content is null for role \"" + role
                    + "\": give a string (it may be empty)");
        }
    }

    /** Says what is wrong with a role, for messages that also name the file and line. */
    static String roleProblem(String role) {
        if ("tool".equals(role) || "function".equals(role) || "ipython".equals(role)) {
            return "role \"" + role + "\" is not supported: tool calls and tool results are not "
                    + "trained; keep system, user and assistant turns only";
        }
        return "role " + (role == null ? "null" : "\"" + role + "\"") + " is not one of " + ROLES;
    }

    public boolean isAssistant() {
        return ASSISTANT.equals(role);
    }

    /** The shape Hugging Face templates see: a dict with "role" and "content". */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
