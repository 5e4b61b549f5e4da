package membank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import membank.data.Attribute;

class KnowledgeBitsTest {
    @Test
    void fanoBoundByHand() {
        assertEquals(2.0, KnowledgeBits.perAnswer(1.0, 4), 1e-12);
        assertEquals(0.0, KnowledgeBits.perAnswer(0.25, 4), 1e-12);
        assertEquals(0.0, KnowledgeBits.perAnswer(0.1, 4), 1e-12);
        // 2 - H(1/2) - 1/2 log2 3 = 2 - 1 - 0.792481...
        assertEquals(0.2075187496, KnowledgeBits.perAnswer(0.5, 4), 1e-9);
    }

    @Test
    void sumsOverAttributesAndPeople() {
        int pets = Attribute.PET.choices().size();
        int colours = Attribute.FAVOURITE_COLOUR.choices().size();
        Map<String, int[]> byAttribute = new LinkedHashMap<>();
        byAttribute.put("pet", new int[] {10, 10});
        byAttribute.put("favourite_colour", new int[] {0, 10});
        double bits = KnowledgeBits.of(new RecallResult(10, 20, byAttribute, new boolean[20]));
        // every pet right: 10 people x log2(pets) bits; no colour right: nothing
        assertEquals(10 * Math.log(pets) / Math.log(2), bits, 1e-9);
        byAttribute.put("favourite_colour", new int[] {5, 10});
        double half = Math.log(colours) / Math.log(2) - 1 - 0.5 * Math.log(colours - 1) / Math.log(2);
        assertEquals(10 * Math.log(pets) / Math.log(2) + 10 * half,
                KnowledgeBits.of(new RecallResult(15, 20, byAttribute, new boolean[20])), 1e-9);
    }
}
