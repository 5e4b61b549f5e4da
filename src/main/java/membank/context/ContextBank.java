package membank.context;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;
import membank.nn.Scope;

/**
 * One user's context bank: compressed latent vectors of what the model has read, each with the
 * statistics importance-weighted consolidation uses (spec section 7). Vectors live in one float32
 * tensor [capacity, d] that grows in place, so the bank outlives the per-step memory scopes of the
 * code that reads it; statistics live on the Java side.
 */
public final class ContextBank {
    private final int dim;
    private final Tensor storage;
    private int size;
    /** How many original vectors each row stands for (1, or the sum of a merged pair's masses). */
    private float[] mass = new float[0];
    /** How often retrieval returned the row. */
    private float[] references = new float[0];
    /** Running mean of the attention weight the row received when it was read. */
    private float[] attention = new float[0];
    /** The step (exchange counter) at which the row was last written or read. */
    private long[] lastUsed = new long[0];
    /** Counts removals (merges, clears), so an index over the bank can tell its row numbers went stale. */
    private long removals;

    public ContextBank(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("context vectors need a width >= 1, got " + dim);
        }
        this.dim = dim;
        this.storage = Scope.kept(() -> org.bytedeco.pytorch.global.torch.zeros(0, dim));
    }

    public int dim() {
        return dim;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The vectors, a view [size, d] of the bank's storage (valid until the bank next changes). */
    public Tensor vectors() {
        return storage.narrow(0, 0, size);
    }

    /** Appends rows [n, d] with fresh statistics (mass 1, never referenced, last used at {@code step}). */
    public void add(Tensor rows, long step) {
        if (rows.dim() != 2 || rows.size(1) != dim) {
            throw new IllegalArgumentException("context vectors must be [n, " + dim + "], got "
                    + Arrays.toString(Ops.shape(rows)));
        }
        int n = Math.toIntExact(rows.size(0));
        ensureCapacity(size + n);
        try (Scope ignored = Scope.noGrad()) {
            storage.narrow(0, size, n).copy_(rows.detach().to(org.bytedeco.pytorch.global.torch.ScalarType.Float));
        }
        for (int i = size; i < size + n; i++) {
            mass[i] = 1f;
            references[i] = 0f;
            attention[i] = 0f;
            lastUsed[i] = step;
        }
        size += n;
    }

    /**
     * Appends rows with given statistics (loading a stored bank). Arrays have one entry per row.
     */
    public void add(Tensor rows, float[] mass, float[] references, float[] attention, long[] lastUsed) {
        int start = size;
        add(rows, 0);
        int n = size - start;
        if (mass.length != n || references.length != n || attention.length != n || lastUsed.length != n) {
            size = start;
            throw new IllegalArgumentException("statistics must have one entry per row (" + n + ")");
        }
        System.arraycopy(mass, 0, this.mass, start, n);
        System.arraycopy(references, 0, this.references, start, n);
        System.arraycopy(attention, 0, this.attention, start, n);
        System.arraycopy(lastUsed, 0, this.lastUsed, start, n);
    }

    /**
     * Records that rows were read at {@code step}: each gets one more reference, its attention
     * weight enters its running mean, and it becomes most recently used.
     */
    public void recordUse(int[] rows, float[] weights, long step) {
        for (int j = 0; j < rows.length; j++) {
            int i = checkRow(rows[j]);
            references[i] += 1f;
            attention[i] += (weights[j] - attention[i]) / references[i];
            lastUsed[i] = Math.max(lastUsed[i], step);
        }
    }

    /**
     * Merges row {@code drop} into row {@code keep} with the vector the mass-weighted mean of both
     * (plain averaging for two original vectors). See {@link #merge(int, int, double, double)}.
     */
    public int merge(int keep, int drop) {
        return merge(keep, drop, mass[checkRow(keep)], mass[checkRow(drop)]);
    }

    /**
     * Merges row {@code drop} into row {@code keep}: the vector becomes the weighted mean of both,
     * masses and references add, the attention means combine by reference count, recency is the
     * later of the two. Row {@code drop} is removed by moving the last row into its place.
     *
     * @return the index the last row moved from (== drop when drop was the last row)
     */
    public int merge(int keep, int drop, double keepWeight, double dropWeight) {
        checkRow(keep);
        checkRow(drop);
        if (keep == drop) {
            throw new IllegalArgumentException("cannot merge row " + keep + " with itself");
        }
        if (!(keepWeight > 0) || !(dropWeight > 0)) {
            throw new IllegalArgumentException("merge weights must be > 0, got " + keepWeight + " and " + dropWeight);
        }
        double weights = keepWeight + dropWeight;
        try (Scope scope = Scope.inference()) {
            Tensor a = storage.select(0, keep);
            Tensor b = storage.select(0, drop);
            a.mul_(Ops.scalar(keepWeight / weights)).add_(b.mul(Ops.scalar(dropWeight / weights)));
        }
        float total = mass[keep] + mass[drop];
        float refs = references[keep] + references[drop];
        attention[keep] = refs == 0 ? Math.max(attention[keep], attention[drop])
                : (attention[keep] * references[keep] + attention[drop] * references[drop]) / refs;
        references[keep] = refs;
        mass[keep] = total;
        lastUsed[keep] = Math.max(lastUsed[keep], lastUsed[drop]);
        return removeRow(drop);
    }

    /** Removes one row by moving the last row into its place; returns the index that moved. */
    int removeRow(int row) {
        checkRow(row);
        int last = size - 1;
        if (row != last) {
            try (Scope scope = Scope.inference()) {
                storage.select(0, row).copy_(storage.select(0, last));
            }
            mass[row] = mass[last];
            references[row] = references[last];
            attention[row] = attention[last];
            lastUsed[row] = lastUsed[last];
        }
        size = last;
        removals++;
        return last;
    }

    /** How many times rows were removed or cleared: row numbers seen before a change may now mean other rows. */
    long removals() {
        return removals;
    }

    /** Forgets everything (the chat's {@code /forget}); the storage keeps its capacity. */
    public void clear() {
        size = 0;
        removals++;
    }

    public float mass(int row) {
        return mass[checkRow(row)];
    }

    public float references(int row) {
        return references[checkRow(row)];
    }

    public float attention(int row) {
        return attention[checkRow(row)];
    }

    public long lastUsed(int row) {
        return lastUsed[checkRow(row)];
    }

    /** Copies of the statistics arrays, one entry per row (for storage and inspection). */
    public float[] massArray() {
        return Arrays.copyOf(mass, size);
    }

    public float[] referencesArray() {
        return Arrays.copyOf(references, size);
    }

    public float[] attentionArray() {
        return Arrays.copyOf(attention, size);
    }

    public long[] lastUsedArray() {
        return Arrays.copyOf(lastUsed, size);
    }

    /** The original vectors the bank stands for: the sum of the masses. */
    public double totalMass() {
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += mass[i];
        }
        return total;
    }

    private int checkRow(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("context bank row " + row + " is outside [0, " + size + ")");
        }
        return row;
    }

    private void ensureCapacity(int needed) {
        long capacity = storage.size(0);
        if (needed <= capacity) {
            return;
        }
        long grown = Math.max(needed, Math.max(16, capacity * 2));
        try (Scope ignored = Scope.noGrad()) {
            // in place: the tensor handle stays the one allocated outside any caller's scope
            storage.resize_(new long[] {grown, dim});
        }
        int g = Math.toIntExact(grown);
        mass = Arrays.copyOf(mass, g);
        references = Arrays.copyOf(references, g);
        attention = Arrays.copyOf(attention, g);
        lastUsed = Arrays.copyOf(lastUsed, g);
    }
}
