package membank.data;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.Map;
import java.util.Properties;
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

    private final ExpressionFactory expressions;

    HfJinja() {
        super(config());
        Properties props = new Properties();
        props.setProperty(TreeBuilder.class.getName(), JinjaParser.SyntaxBuilder.class.getName());
        this.expressions = new ExpressionFactoryImpl(props, new TruthyTypeConverter());
        registerFunction(new ELFunctionDefinition("", "raise_exception", HfJinja.class,
                "raiseException", String.class));
    }

    private static JinjavaConfig config() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        return JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
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

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressions;
    }

    /**
     * Renders {@code template}; any error jinjava reports (it keeps going and returns partial
     * text) becomes an exception, so a half-rendered prompt never reaches training.
     *
     * @throws IllegalArgumentException naming {@code source} and jinjava's messages
     */
    String renderStrict(String template, Map<String, Object> variables, String source) {
        RenderResult result = renderForResult(template, variables);
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

    /** The exception a template raised on purpose. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }
}
