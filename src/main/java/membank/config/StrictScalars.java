package membank.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * Config scalars read exactly as they are written: an integer key takes a JSON number with an
 * integral value that fits (so 2.0 is 2, 2.5 and "2" are errors), a number key any JSON number, a
 * boolean key true or false, a string key a JSON string. A mismatch is a
 * {@link MismatchedInputException} for the key's Java type, which {@link Bind} turns into the
 * message naming the key and the value.
 */
final class StrictScalars {
    private StrictScalars() {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("membank-strict-scalars");
        module.addDeserializer(int.class, new Scalar<>(int.class, (p, t) -> (int) integral(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE)));
        module.addDeserializer(Integer.class, new Scalar<>(Integer.class, (p, t) -> (int) integral(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE)));
        module.addDeserializer(long.class, new Scalar<>(long.class, (p, t) -> integral(p, t, Long.MIN_VALUE, Long.MAX_VALUE)));
        module.addDeserializer(Long.class, new Scalar<>(Long.class, (p, t) -> integral(p, t, Long.MIN_VALUE, Long.MAX_VALUE)));
        module.addDeserializer(double.class, new Scalar<>(double.class, StrictScalars::number));
        module.addDeserializer(Double.class, new Scalar<>(Double.class, StrictScalars::number));
        module.addDeserializer(boolean.class, new Scalar<>(boolean.class, StrictScalars::bool));
        module.addDeserializer(Boolean.class, new Scalar<>(Boolean.class, StrictScalars::bool));
        module.addDeserializer(String.class, new Scalar<>(String.class, StrictScalars::text));
        return module;
    }

    private interface Reader<T> {
        T read(JsonParser p, Class<?> type) throws IOException;
    }

    private static final class Scalar<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final Reader<T> reader;

        Scalar(Class<T> type, Reader<T> reader) {
            this.type = type;
            this.reader = reader;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return reader.read(p, type);
        }

        @Override
        public Class<?> handledType() {
            return type;
        }
    }

    private static long integral(JsonParser p, Class<?> type, long min, long max) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            BigDecimal value = p.getDecimalValue();
            boolean exact = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
            if (exact && value.compareTo(BigDecimal.valueOf(min)) >= 0 && value.compareTo(BigDecimal.valueOf(max)) <= 0) {
                return value.longValueExact();
            }
        }
        throw mismatch(p, type);
    }

    private static double number(JsonParser p, Class<?> type) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        throw mismatch(p, type);
    }

    private static boolean bool(JsonParser p, Class<?> type) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_TRUE || p.currentToken() == JsonToken.VALUE_FALSE) {
            return p.getBooleanValue();
        }
        throw mismatch(p, type);
    }

    private static String text(JsonParser p, Class<?> type) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw mismatch(p, type);
    }

    private static MismatchedInputException mismatch(JsonParser p, Class<?> type) {
        return MismatchedInputException.from(p, type, "not a " + type.getSimpleName());
    }
}
