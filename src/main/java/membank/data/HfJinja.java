package membank.data;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.InvalidDateFormatException;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * jinjava set up to render templates the way Hugging Face's {@code apply_chat_template} does
 * with Python's Jinja: {@code trim_blocks} and {@code lstrip_blocks} on, {@code {{- -}}}
 * whitespace control, Python operator precedence, a {@code raise_exception(msg)} function,
 * Python string methods ({@link PyStringMethods}) and the parser fixes of {@link JinjaParser}.
 */
final class HfJinja extends Jinjava {

    /**
     * Python's {@code lstrip_blocks}: spaces and tabs from the start of a line up to a block tag
     * or comment. jinjava's own option also strips them in the middle of a line ("a {% if %}"
     * loses its space), which Python's Jinja does not.
     */
    private static final Pattern LSTRIP_BLOCKS = Pattern.compile("(?m)^[ \\t]+(?=\\{%|\\{#)");

    private final ExpressionFactory expressions;

    HfJinja() {
        super(config());
        Properties props = new Properties();
        props.setProperty(TreeBuilder.class.getName(), JinjaParser.SyntaxBuilder.class.getName());
        this.expressions = new ExpressionFactoryImpl(props, new TruthyTypeConverter());
        registerFunction(new ELFunctionDefinition("", "raise_exception", HfJinja.class,
                "raiseException", String.class));
        registerFunction(new ELFunctionDefinition("", "strftime_now", HfJinja.class,
                "strftimeNow", String.class));
    }

    private static JinjavaConfig config() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        return JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withKeepNullableLoopValues(true)
                        .withEvaluateMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
    }

    /**
     * The template source as Python's Jinja lexer would see it with HF's options:
     * {@code lstrip_blocks} applied, and one trailing newline dropped ({@code keep_trailing_newline=False}).
     */
    static String prepare(String source) {
        String s = LSTRIP_BLOCKS.matcher(source).replaceAll("");
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressions;
    }

    /**
     * Renders {@code template} (already {@link #prepare prepared}); any error jinjava reports (it keeps going and returns partial
     * text) becomes an exception, so a half-rendered prompt never reaches training.
     *
     * @throws IllegalArgumentException naming {@code source} and jinjava's messages
     */
    String renderStrict(String template, Map<String, Object> variables, String source) {
        Map<String, Object> all = new HashMap<>(variables);
        // HF's globals are also variables, and Llama 3.2 asks "strftime_now is defined" before
        // calling it; jinjava functions are not variables, so a stand-in value says "defined".
        all.putIfAbsent("strftime_now", "strftime_now");
        all.putIfAbsent("raise_exception", "raise_exception");
        RenderResult result = renderForResult(template, all);
        if (!result.getErrors().isEmpty()) {
            String why = result.getErrors().stream().map(HfJinja::describe).collect(Collectors.joining("; "));
            throw new IllegalArgumentException("chat template from " + source + " failed: " + why);
        }
        return result.getOutput();
    }

    private static String describe(TemplateError e) {
        String message = e.getMessage();
        Throwable cause = e.getException();
        // raise_exception's text is the template author's own explanation; show it as is.
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TemplateRaised) {
                message = t.getMessage();
            }
        }
        return e.getLineno() > 0 ? "line " + e.getLineno() + ": " + message : message;
    }

    /** Called by templates as {@code raise_exception('...')} to reject a conversation. */
    public static String raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /**
     * Called by templates as {@code strftime_now("%d %b %Y")} (Llama 3.2 dates its system prompt
     * with it): the local time in Python's strftime format.
     */
    public static String strftimeNow(String format) {
        return strftime(format, ZonedDateTime.now());
    }

    /**
     * Python's {@code strftime} with the C locale's English names, by jinjava's formatter.
     *
     * @throws IllegalArgumentException on a directive the formatter does not know
     */
    static String strftime(String format, ZonedDateTime t) {
        try {
            return StrftimeFormatter.format(t, format, Locale.US);
        } catch (InvalidDateFormatException e) {
            throw new IllegalArgumentException("strftime_now(\"" + format + "\"): " + e.getMessage(), e);
        }
    }

    /** The exception a template raised on purpose. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }
}
