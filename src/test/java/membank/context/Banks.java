package membank.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.nn.Ops;

/** Deterministic rows and banks for the context tests, and a bit-exact comparison of two banks. */
final class Banks {
    private Banks() {
    }

    /** Row r, column c of the rows that {@link #rows} makes for {@code seed}. */
    static float value(int seed, int r, int c) {
        return seed * 1000f + r * 10f + c + 0.25f;
    }

    static float[][] values(int seed, int n, int d) {
        float[][] out = new float[n][d];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                out[r][c] = value(seed, r, c);
            }
        }
        return out;
    }

    static Tensor rows(int seed, int n, int d) {
        return tensor(values(seed, n, d));
    }

    static Tensor tensor(float[][] rows) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        Tensor t = torch.empty(new long[] {rows.length, d}, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        float[] flat = new float[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * d, d);
        }
        if (flat.length > 0) {
            new FloatPointer(t.data_ptr_float()).capacity(flat.length).put(flat);
        }
        return t;
    }

    /** The bank's vectors as Java arrays, row by row. */
    static float[][] vectors(ContextBank bank) {
        try (PointerScope scope = new PointerScope()) {
            float[] flat = bank.size() == 0 ? new float[0] : Ops.floats(bank.vectors());
            float[][] out = new float[bank.size()][bank.dim()];
            for (int r = 0; r < bank.size(); r++) {
                System.arraycopy(flat, r * bank.dim(), out[r], 0, bank.dim());
            }
            return out;
        }
    }

    /**
     * A bank of n rows with distinct statistics: every row referenced a different number of times
     * with different attention weights, rows 0 and 1 merged, used at different steps.
     */
    static ContextBank varied(int seed, int n, int d) {
        ContextBank bank = new ContextBank(d);
        try (PointerScope scope = new PointerScope()) {
            bank.add(rows(seed, n + 1, d), seed);
        }
        for (int r = 0; r < n + 1; r++) {
            for (int k = 0; k < r % 4; k++) {
                bank.recordUse(new int[] {r}, new float[] {0.1f * (k + 1) + 0.01f * r}, seed + r + k);
            }
        }
        bank.merge(0, 1);
        return bank;
    }

    /** Same width, rows, vectors and statistics, bit for bit (float arrays compare by their bits). */
    static void assertSame(ContextBank expected, ContextBank actual) {
        assertEquals(expected.dim(), actual.dim(), "dim");
        assertEquals(expected.size(), actual.size(), "rows");
        float[][] a = vectors(expected);
        float[][] b = vectors(actual);
        for (int r = 0; r < a.length; r++) {
            assertArrayEquals(bits(a[r]), bits(b[r]), "vector " + r);
        }
        assertArrayEquals(bits(expected.massArray()), bits(actual.massArray()), "mass");
        assertArrayEquals(bits(expected.referencesArray()), bits(actual.referencesArray()), "references");
        assertArrayEquals(bits(expected.attentionArray()), bits(actual.attentionArray()), "attention");
        assertArrayEquals(expected.lastUsedArray(), actual.lastUsedArray(), "last used");
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
