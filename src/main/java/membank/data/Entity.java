package membank.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One invented person.
 *
 * @param name unique within a knowledge set
 * @param values attribute key to value, in {@link Attribute} order
 */
public record Entity(String name, Map<String, String> values) {

    public Entity {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String value(Attribute attribute) {
        return values.get(attribute.key());
    }
}
