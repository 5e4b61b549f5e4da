package membank.config;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What the router of a chaptered memory layer looks at (spec section 2): the mean of the whole
 * sequence (the seed's router, not causal), the causal cumulative mean, or each position alone.
 * {@code membank.chapters.routing} in config.json.
 */
public enum RoutingMode {
    SEQUENCE, PREFIX, TOKEN;

    /** The config spelling: {@code sequence}, {@code prefix} or {@code token}. */
    public static RoutingMode of(String name) {
        for (RoutingMode mode : values()) {
            if (mode.label().equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("routing '" + name + "': allowed: sequence, prefix, token");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonValue
    @Override
    public String toString() {
        return label();
    }
}
