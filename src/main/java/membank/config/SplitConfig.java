package membank.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Objects;

/**
 * How a run's data is divided into training and validation, recorded in {@code training.data.split}
 * when the run starts so that --resume and eval divide it the same way.
 *
 * <p>{@code documents}: document i (0-based, in corpus order) is validation when
 * {@code i % every == every - 1}. {@code tokens}: the last {@code ceil(n * fraction)} of each
 * document's n token ids are validation, the rest training; used when a corpus has too few
 * documents for the first rule to give a validation batch.
 *
 * @param every documents only, else null
 * @param fraction tokens only, else null
 */
public record SplitConfig(@JsonProperty("by") By by, @JsonProperty("every") Integer every,
                          @JsonProperty("fraction") Double fraction) {
    static final String PATH = "training.data.split";

    public enum By {
        DOCUMENTS, TOKENS;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SplitConfig {
        Objects.requireNonNull(by, "by");
    }

    private static void refuse(String key, Object value, By by) {
        if (value != null) {
            throw new ConfigException("config key '" + PATH + "." + key + "' does not apply when " + PATH
                    + ".by is \"" + by + "\"; remove it");
        }
    }

    public static SplitConfig documents(int every) {
        return new SplitConfig(By.DOCUMENTS, every, null);
    }

    public static SplitConfig tokens(double fraction) {
        return new SplitConfig(By.TOKENS, null, fraction);
    }

    public boolean byTokens() {
        return by == By.TOKENS;
    }

    /** As the run's log states it; {@code unit} is what a document is, e.g. "conversation". */
    public String describe(String unit) {
        if (byTokens()) {
            return "the last " + percent(fraction) + " of each " + unit + "'s tokens";
        }
        return "every " + ordinal(every) + " " + unit;
    }

    /** Three significant digits, without trailing zeros: 5%, 18.4%. */
    private static String percent(double share) {
        return new BigDecimal(share * 100).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "%";
    }

    private static String ordinal(int n) {
        int lastTwo = n % 100;
        String suffix = lastTwo >= 11 && lastTwo <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }

    /**
     * The split as a config file may write it: {@code by} is required, and with it {@code every} or
     * {@code fraction}. The ranges are checked here, not by the record, because a run may choose any
     * fraction its corpus needs.
     */
    @JsonCreator
    static SplitConfig read(@JsonProperty("by") By by, @JsonProperty("every") Integer every,
                            @JsonProperty("fraction") Double fraction) {
        Require.present(PATH + ".by", by, "one of " + Bind.allowed(By.class));
        if (by == By.DOCUMENTS) {
            refuse("fraction", fraction, by);
            Require.atLeast(PATH + ".every", Require.present(PATH + ".every", every, "an integer"), 2);
        } else {
            refuse("every", every, by);
            if (fraction == null) {
                throw new ConfigException("config key '" + PATH + ".fraction' is missing: it is required when " + PATH
                        + ".by is \"tokens\" (the share of each document's tokens held out, in (0, 1))");
            }
            if (!(fraction > 0 && fraction < 1)) {
                throw new ConfigException(PATH + ".fraction", fraction, "must be in (0, 1)");
            }
        }
        return new SplitConfig(by, every, fraction);
    }
}
