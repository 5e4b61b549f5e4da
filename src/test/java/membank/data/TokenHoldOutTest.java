package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class TokenHoldOutTest {
    private static final Function<String, int[]> CHARS = s -> s.chars().toArray();

    @Test
    void eachDocumentIsCutIntoATrainingHeadAndAValidationTail() {
        String doc = "abcdefghijklmnopqrst";
        int[] head = TokenHoldOut.head(CHARS, 0.1).apply(doc);
        int[] tail = TokenHoldOut.tail(CHARS, 0.1).apply(doc);
        assertArrayEquals("abcdefghijklmnopqr".chars().toArray(), head);
        assertArrayEquals("st".chars().toArray(), tail);
        // ceil: a short document still gives validation a token, and nothing is lost or shared.
        for (int n : IntStream.rangeClosed(0, 40).toArray()) {
            String text = "x".repeat(n);
            int h = TokenHoldOut.head(CHARS, 0.07).apply(text).length;
            int t = TokenHoldOut.tail(CHARS, 0.07).apply(text).length;
            assertEquals(n, h + t);
            assertEquals((int) Math.ceil(n * 0.07), t);
        }
    }
}
