package membank.nn;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failure inside libtorch, with what membank was doing when it happened. libtorch's
 * {@code c10::Error} reaches Java as a plain {@link RuntimeException} whose message is the C++
 * message followed by twenty-odd native frames; the command line prints this as one line and
 * keeps the frames for {@code --verbose}.
 */
public final class NativeError extends RuntimeException {
    private static final Pattern REQUESTED = Pattern.compile("allocate (\\d+) bytes");
    private static final Pattern ENFORCE_PREFIX = Pattern.compile("^\\[enforce fail at [^\\]]*\\] [^.]*\\. ");
    private static final String[] OUT_OF_MEMORY = {"can't allocate memory", "not enough memory", "out of memory", "bad_alloc"};

    private final String doing;
    private final String headline;

    private NativeError(String doing, RuntimeException nativeFailure) {
        super((doing == null ? "" : doing + ": ") + headline(nativeFailure.getMessage()), nativeFailure);
        this.doing = doing;
        this.headline = headline(nativeFailure.getMessage());
    }

    /** Runs {@code work}; a libtorch failure in it becomes a NativeError saying it happened while {@code doing}. */
    public static <T> T during(String doing, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw isNative(e) ? new NativeError(doing, e) : e;
        }
    }

    /** The libtorch failure among {@code e} and its causes, the innermost context kept; empty when there is none. */
    public static Optional<NativeError> in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NativeError n) {
                return Optional.of(n);
            }
            if (isNative(t)) {
                return Optional.of(new NativeError(null, (RuntimeException) t));
            }
        }
        return Optional.empty();
    }

    /** JavaCPP throws libtorch's errors as RuntimeException itself (never a subclass), with the C++ frames in the message. */
    private static boolean isNative(Throwable t) {
        String message = t.getMessage();
        return t.getClass() == RuntimeException.class && message != null
                && (message.contains("\nframe #") || message.contains("Exception raised from") || message.startsWith("[enforce fail"));
    }

    /** What membank was doing ("training step 12 ..."), or null when no caller said. */
    public String doing() {
        return doing;
    }

    /** libtorch's own message, first line only, without the C++ assertion that failed. */
    public String headline() {
        return headline;
    }

    public boolean outOfMemory() {
        String lower = headline.toLowerCase(java.util.Locale.ROOT);
        for (String sign : OUT_OF_MEMORY) {
            if (lower.contains(sign)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes the failed allocation asked for, when libtorch says. */
    public OptionalLong requestedBytes() {
        Matcher m = REQUESTED.matcher(headline);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private static String headline(String message) {
        String first = message == null ? "" : message.strip().lines().findFirst().orElse("");
        return ENFORCE_PREFIX.matcher(first).replaceFirst("").strip();
    }
}
