package membank.config;

import java.math.BigDecimal;
import java.math.MathContext;

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
public record SplitConfig(String by, Integer every, Double fraction) {
    public static final String DOCUMENTS = "documents";
    public static final String TOKENS = "tokens";

    public static SplitConfig documents(int every) {
        return new SplitConfig(DOCUMENTS, every, null);
    }

    public static SplitConfig tokens(double fraction) {
        return new SplitConfig(TOKENS, null, fraction);
    }

    public boolean byTokens() {
        return TOKENS.equals(by);
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
}
