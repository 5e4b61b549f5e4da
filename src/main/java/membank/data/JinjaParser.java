package membank.data;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * jinjava's expression parser with two Python forms that Hugging Face chat templates use and
 * jinjava 2.8 parses differently from Python's Jinja:
 * <ul>
 *   <li>keyword arguments bind looser than arithmetic: {@code namespace(i=messages|length - 1)}
 *       is {@code i=(messages|length - 1)}, where jinjava reads {@code (i=messages|length) - 1};</li>
 *   <li>slices with a step and no bounds, {@code messages[::-1]} (Qwen3 walks the conversation
 *       backwards this way), which jinjava's parser rejects.</li>
 * </ul>
 * Everything else is jinjava's own parser.
 */
final class JinjaParser extends ExtendedParser {

    /** The step expression just parsed by {@link #expr}, recognised again in {@link #createAstBracket}. */
    private AstNode pendingStep;

    JinjaParser(Builder builder, String expression) {
        super(builder, expression);
        // The lowest precedence jinjava's grammar offers (Python's is lower still, beyond any operator).
        putExtensionHandler(NamedParameterOperator.TOKEN, new Parser.ExtensionHandler(Parser.ExtensionPoint.OR) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return NamedParameterOperator.HANDLER.createAstNode(children);
            }
        });
    }

    /**
     * Inside {@code [}, jinjava asks for an optional expression; "::" at that point can only
     * start a step slice, so the step is parsed here and handed back as the subscript, to be
     * turned into a slice when the bracket is built.
     */
    @Override
    protected AstNode expr(boolean required) throws Scanner.ScanException, ParseException {
        if (!required && getToken().getSymbol() == Scanner.Symbol.COLON
                && lookahead(0).getSymbol() == Scanner.Symbol.COLON) {
            consumeToken();
            consumeToken();
            pendingStep = super.expr(true);
            return pendingStep;
        }
        return super.expr(required);
    }

    @Override
    protected AstBracket createAstBracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
        if (property != null && property == pendingStep) {
            pendingStep = null;
            return new StepSlice(base, property, strict);
        }
        return super.createAstBracket(base, property, lvalue, strict);
    }

    /** {@code seq[::step]} on a list or a string, as Python computes it. */
    static final class StepSlice extends AstBracket {

        StepSlice(AstNode base, AstNode step, boolean strict) {
            super(base, step, false, strict);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object seq = prefix.eval(bindings, context);
            Object step = property.eval(bindings, context);
            if (!(step instanceof Number n) || n.intValue() == 0) {
                throw new IllegalArgumentException("slice step must be a non-zero integer, got " + step);
            }
            if (seq == null) {
                return null;
            }
            if (seq instanceof CharSequence s) {
                StringBuilder out = new StringBuilder();
                for (int i : indices(s.length(), n.intValue())) {
                    out.append(s.charAt(i));
                }
                return out.toString();
            }
            List<Object> items = asList(seq);
            List<Object> out = new ArrayList<>();
            for (int i : indices(items.size(), n.intValue())) {
                out.add(items.get(i));
            }
            return out;
        }

        private static int[] indices(int size, int step) {
            int count = (size + Math.abs(step) - 1) / Math.abs(step);
            int[] out = new int[count];
            for (int k = 0; k < count; k++) {
                out[k] = step > 0 ? k * step : size - 1 + k * step;
            }
            return out;
        }

        private static List<Object> asList(Object seq) {
            if (seq instanceof Collection<?> c) {
                return new ArrayList<>(c);
            }
            if (seq.getClass().isArray()) {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < Array.getLength(seq); i++) {
                    out.add(Array.get(seq, i));
                }
                return out;
            }
            throw new IllegalArgumentException("cannot slice " + seq.getClass().getSimpleName());
        }
    }

    /**
     * Makes jinjava build expressions with {@link JinjaParser}. Public with this constructor
     * only because jinjava's expression factory creates it by reflection from its class name.
     */
    public static final class SyntaxBuilder extends ExtendedSyntaxBuilder {

        public SyntaxBuilder(Builder.Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new JinjaParser(this, expression);
        }
    }
}
