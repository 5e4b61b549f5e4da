package membank.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Mappers for config files. A new one per use: config I/O is rare and this keeps no shared state. */
final class Json {
    private Json() {
    }

    /** Rejects trailing text, so "0,2" is not read as 0 and "1.5x" not as 1.5. */
    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    /**
     * The mapper that binds config blocks to their builders ({@link Bind}): JSON null leaves a key at
     * its default, unknown keys fail, and scalars are never coerced across JSON types (a string is
     * not a number, 1.5 is not an integer, a number is not a string), as {@link StrictScalars} says.
     */
    static ObjectMapper binder() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
                .addModule(StrictScalars.module())
                .build();
    }
}
