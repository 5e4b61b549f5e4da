package membank.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link ParameterRole} of each part of a model, recorded by the model as it registers the
 * part: every parameter under a registered prefix (and any registered there later, such as LoRA
 * factors or a bank's trained rows) has that part's role, the longest prefix winning.
 */
final class ParameterRoles {
    private final Map<String, ParameterRole> byPrefix = new LinkedHashMap<>();

    /** Parameters whose name starts with {@code module + "."} have {@code role}. */
    void tag(String module, ParameterRole role) {
        byPrefix.put(module + ".", role);
    }

    ParameterRole of(String name) {
        String best = null;
        for (String prefix : byPrefix.keySet()) {
            if (name.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("parameter " + name + " belongs to no registered part of the model");
        }
        return byPrefix.get(best);
    }
}
