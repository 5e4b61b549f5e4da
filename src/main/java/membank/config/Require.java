package membank.config;

/** Range checks that name the key, the value and the allowed range; each returns the value it checked. */
final class Require {
    private Require() {
    }

    /** A required key's value; {@code what} says what it must be ("an integer"). */
    static <T> T present(String key, T value, String what) {
        if (value == null) {
            throw new ConfigException("config key '" + key + "' is missing: it is required (" + what + ")");
        }
        return value;
    }

    static int positive(String key, int value) {
        if (value <= 0) {
            throw new ConfigException(key, value, "must be a positive integer");
        }
        return value;
    }

    static double positive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ConfigException(key, value, "must be a finite number > 0");
        }
        return value;
    }

    static Double positiveOrNull(String key, Double value) {
        return value == null ? null : positive(key, value);
    }

    static int atLeast(String key, int value, int min) {
        if (value < min) {
            throw new ConfigException(key, value, "must be >= " + min);
        }
        return value;
    }

    static double nonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new ConfigException(key, value, "must be a finite number >= 0");
        }
        return value;
    }

    /** {@code low <= value <= high}, or {@code < high} when {@code highOpen}. */
    static double inRange(String key, double value, double low, double high, boolean highOpen) {
        boolean inside = value >= low && (highOpen ? value < high : value <= high);
        if (!inside) {
            throw new ConfigException(key, value, "must be in [" + low + ", " + high + (highOpen ? ")" : "]"));
        }
        return value;
    }

    static int inRange(String key, int value, int low, int high) {
        if (value < low || value > high) {
            throw new ConfigException(key, value, "must be in [" + low + ", " + high + "]");
        }
        return value;
    }
}
