package membank.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
}
