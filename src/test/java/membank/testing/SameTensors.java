package membank.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Bit-exact equality of named tensors: what a resumed run must reproduce of an uninterrupted one. */
public final class SameTensors {
    private SameTensors() {
    }

    /** The same names, and every tensor equal bit for bit; {@code when} ends the message ("after resume"). */
    public static void assertSame(Map<String, Tensor> expected, Map<String, Tensor> actual, String when) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, t) -> assertTrue(torch.equal(t, actual.get(name)), name + " differs " + when));
    }
}
