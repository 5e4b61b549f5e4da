package membank.data;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods on strings inside templates ({@code content.startswith('<tool')},
 * {@code content.split('</think>')[-1].lstrip('\n')}): Hugging Face renders chat templates with
 * Python's Jinja, where these are plain string methods, while jinjava only sees Java's
 * {@link String}, which lacks most of them and whose {@code split} takes a regular expression.
 * Only method calls on strings are handled; everything else falls through to jinjava.
 */
final class PyStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
        if (!(base instanceof String) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call((String) base, method.toString(), args);
        if (result == NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String name, Object[] a) {
        switch (name) {
            case "strip": return rstrip(lstrip(s, chars(a)), chars(a));
            case "lstrip": return lstrip(s, chars(a));
            case "rstrip": return rstrip(s, chars(a));
            case "startswith": return anyMatch(a, s::startsWith);
            case "endswith": return anyMatch(a, s::endsWith);
            case "split": return split(s, a.length > 0 ? str(a[0]) : null, a.length > 1 ? toInt(a[1]) : -1);
            case "upper": return s.toUpperCase(Locale.ROOT);
            case "lower": return s.toLowerCase(Locale.ROOT);
            case "capitalize": return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "title": return title(s);
            case "replace": return replace(s, str(a[0]), str(a[1]), a.length > 2 ? toInt(a[2]) : -1);
            case "find": return (long) s.indexOf(str(a[0]));
            case "count": return count(s, str(a[0]));
            case "join": return join(s, a[0]);
            default: return NOT_HANDLED;
        }
    }

    /** Python's default: strip whitespace; an explicit argument is a set of characters. */
    private static String chars(Object[] a) {
        return a.length == 0 || a[0] == null ? null : a[0].toString();
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strippable(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(0, end);
    }

    /** startswith/endswith take one string or a tuple of them. */
    private static boolean anyMatch(Object[] a, java.util.function.Predicate<String> test) {
        if (a.length == 0) {
            throw new IllegalArgumentException("startswith/endswith need an argument");
        }
        if (a[0] instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(str(o)));
        }
        return test.test(str(a[0]));
    }

    /** Python semantics: a literal separator keeps empty pieces; no separator splits on whitespace runs. */
    private static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            // With a limit, Python strips only the left: the rest keeps its trailing whitespace.
            String t = maxSplit < 0 ? s.strip() : s.stripLeading();
            for (String piece : t.split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)) {
                if (!piece.isEmpty()) {
                    out.add(piece);
                }
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || out.size() < maxSplit); at = s.indexOf(sep, from)) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return out.toString();
    }

    private static String replace(String s, String old, String by, int count) {
        if (count < 0) {
            return s.replace(old, by);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(by);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> iterable) {
            iterable.forEach(o -> parts.add(str(o)));
        } else if (items instanceof Iterator<?> it) {
            it.forEachRemaining(o -> parts.add(str(o)));
        } else {
            throw new IllegalArgumentException("join needs a list, got " + items);
        }
        return String.join(sep, parts);
    }

    private static String str(Object o) {
        return o == null ? "None" : o.toString();
    }

    private static int toInt(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new IllegalArgumentException("expected a number, got " + o);
    }

    // Property access is left to jinjava's own resolvers.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
