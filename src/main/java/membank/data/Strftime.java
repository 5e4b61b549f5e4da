package membank.data;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} for the directives chat templates use, in the C locale. */
final class Strftime {

    private Strftime() {
    }

    /** @throws IllegalArgumentException on a directive not listed here */
    static String format(String format, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            out.append(directive(format.charAt(++i), t, format));
        }
        return out.toString();
    }

    private static String directive(char d, LocalDateTime t, String format) {
        switch (d) {
            case 'd': return two(t.getDayOfMonth());
            case 'm': return two(t.getMonthValue());
            case 'y': return two(t.getYear() % 100);
            case 'Y': return Integer.toString(t.getYear());
            case 'H': return two(t.getHour());
            case 'M': return two(t.getMinute());
            case 'S': return two(t.getSecond());
            case 'j': return String.format(Locale.ROOT, "%03d", t.getDayOfYear());
            case 'b': return t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'B': return t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
            case 'a': return t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'A': return t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
            case 'p': return t.format(DateTimeFormatter.ofPattern("a", Locale.US));
            case '%': return "%";
            default:
                throw new IllegalArgumentException("strftime_now(\"" + format + "\"): %" + d
                        + " is not supported (supported: %d %m %y %Y %H %M %S %j %b %B %a %A %p %%)");
        }
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
