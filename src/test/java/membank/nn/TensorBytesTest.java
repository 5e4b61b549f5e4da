package membank.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Bytes into a tensor by copy and out of it by views, at any offset, and nothing past its end. */
class TensorBytesTest {
    private static byte[] bytes(Tensor t) {
        byte[] out = new byte[(int) t.nbytes()];
        int at = 0;
        for (ByteBuffer chunk : TensorBytes.chunks(t, 3)) {
            int n = chunk.remaining();
            chunk.get(out, at, n);
            at += n;
        }
        return out;
    }

    @Test
    void copiesTheRemainingBytesAtAnOffsetAndViewsThemInChunks() {
        Tensor t = Ops.zeros(ScalarType.Byte, 8);
        ByteBuffer from = ByteBuffer.allocateDirect(6);
        from.put(new byte[] {9, 1, 2, 3, 4, 9}).position(1).limit(5);
        TensorBytes.copyIn(from, t, 3);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 2, 3, 4, 0}, bytes(t));
        assertEquals(1, from.position());
        assertThrows(IndexOutOfBoundsException.class, () -> TensorBytes.copyIn(from, t, 5));
        assertThrows(IllegalArgumentException.class, () -> TensorBytes.copyIn(ByteBuffer.wrap(new byte[2]), t, 0));
    }

    @Test
    void aTensorWithoutBytesHasNoChunks() {
        assertArrayEquals(new Object[0], TensorBytes.chunks(Ops.zeros(ScalarType.Float, 0), 4).toArray());
        List<ByteBuffer> one = TensorBytes.chunks(Ops.zeros(ScalarType.Float, 2), 1 << 20);
        assertArrayEquals(new int[] {8}, one.stream().mapToInt(ByteBuffer::remaining).toArray());
    }
}
