package membank.config;

/** A configuration value that cannot be used; the message names the key, the value and what is allowed. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String key, Object value, String allowed) {
        super("config key '" + key + "' has value " + render(value) + ": " + allowed);
    }

    public ConfigException(String message) {
        super(message);
    }

    private static String render(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
