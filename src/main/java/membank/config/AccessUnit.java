package membank.config;

import java.util.Arrays;
import java.util.List;

/**
 * What sparse memory finetuning counts, ranks and trains: single bank rows, or whole chapters of a
 * routed bank (a router picks chapters, so a chapter is what a routed read chooses).
 */
public enum AccessUnit {
    ROWS("rows"), CHAPTERS("chapters");

    private final String label;

    AccessUnit(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** By its label; {@code flag} names where the value came from in the message. */
    public static AccessUnit of(String flag, String label) {
        return Arrays.stream(values()).filter(u -> u.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(flag + " " + label + ": allowed: " + String.join(", ", labels())));
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(AccessUnit::label).toList();
    }
}
