package membank.experiment;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an iso-FLOP baseline spends the memory's FLOPs: on more layers of the same width, or on
 * wider layers (more heads of the same size, the MLP scaled alike) at the same depth.
 */
public enum BaselineKind {
    DEEPER, WIDER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BaselineKind of(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--baseline " + label + ": allowed: deeper, wider"));
    }
}
