package membank.memory;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.BankConfig;
import membank.nn.Layers;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * A bank of N latent memory tokens (spec section 5): dense [N, d] ({@code weight}), factorized
 * M = A·Bᵀ ({@code a} [N, r], {@code b} [d, r]) or reduced [N, r] ({@code weight}). A quantised
 * bank trains a float copy and is stored as {@code qweight} + {@code scales}; loaded for
 * inference it keeps those codes and dequantises the rows it is asked for.
 */
public final class MemoryBank extends Module {
    public static final String WEIGHT = "weight";
    public static final String A = "a";
    public static final String B = "b";
    public static final String QWEIGHT = "qweight";
    public static final String SCALES = "scales";
    /** The name inside the bank under which {@link #trainOnlyRows} registers the trained rows. */
    public static final String TRAINED_ROWS = "trained_rows";

    /** The float rows: [N, d], A [N, r] or [N, r]; null when the bank holds codes. */
    private final Tensor rows;
    /** B [d, r] of a factorized bank, else null. */
    private final Tensor basis;
    /** Null for a float bank. */
    private final RowQuantizer quantizer;
    /** Codes held in place of the float rows (BankForm.QUANTISED), else null. */
    private final RowQuantizer.Codes held;
    /** Set once by a trainer that updates only rows read; reads then build sparse gradients. */
    private boolean sparseGradients;
    /** Ids [t] of the rows trained alone (sparse memory finetuning), else null. */
    private Tensor trainedIds;
    /** Their trained values [t, w], the only bank parameter that trains then; else null. */
    private Tensor trainedRows;

    /** A dense float bank [N, d], initialised N(0, 0.02). */
    public MemoryBank(long tokens, long dim) {
        this(BankConfig.dense(), tokens, dim, BankForm.TRAINABLE);
    }

    /** A bank of {@code tokens} memory tokens for a model of width {@code dim}. */
    public MemoryBank(BankConfig bank, long tokens, long dim, BankForm form) {
        // Handles of our own: register_parameter's return value dangles once a second one is registered.
        long width = bank.rowWidth(dim);
        quantizer = RowQuantizer.of(bank, dim);
        if (quantizer != null && form == BankForm.QUANTISED) {
            held = quantizer.empty(tokens);
            rows = null;
            basis = null;
            register_buffer(QWEIGHT, held.codes());
            register_buffer(SCALES, held.scales());
        } else if (bank.isFactorized()) {
            // Entries of A·Bᵀ are sums of r products, so A and B get std sqrt(0.02 / sqrt(r)) each:
            // M starts with the dense bank's N(0, 0.02) scale, and neither factor dominates the
            // other's gradient (dA = dM·B, dB = dMᵀ·A).
            double std = Math.sqrt(Layers.INIT_STD / Math.sqrt(width));
            held = null;
            rows = Layers.normalInit(new long[] {tokens, width}, std);
            basis = Layers.normalInit(new long[] {dim, width}, std);
            register_parameter(A, rows);
            register_parameter(B, basis);
        } else {
            held = null;
            rows = Layers.normalInit(new long[] {tokens, width}, Layers.INIT_STD);
            basis = null;
            register_parameter(WEIGHT, rows);
        }
    }

    /** The bank as memory layers read it. */
    public BankRows rows() {
        if (held != null) {
            return quantizer.rows(held);
        }
        if (trainedRows != null) {
            // the rows being trained take their place in a copy of the (frozen) bank, so gradient reaches them alone
            Tensor merged = rows.index_copy(0, trainedIds, trainedRows.to(rows.scalar_type()));
            return basis != null ? BankRows.factorized(merged, basis) : BankRows.of(merged);
        }
        if (basis != null) {
            return BankRows.factorized(rows, basis);
        }
        return sparseGradients ? BankRows.sparselyTrained(rows) : BankRows.of(rows);
    }

    /**
     * Routed reads of a float bank give a sparse gradient of the rows read from now on, for an
     * optimizer that moves only those (training.bank_update rows_read); a factorized bank's
     * rows stay dense, since B is read whole anyway.
     */
    public void useSparseGradients() {
        sparseGradients = true;
    }

    /**
     * Trains rows {@code ids} (int64 [t], distinct) alone from now on: a new parameter
     * {@code trained_rows} [t, w] starts as their values and replaces them in every read, while the
     * bank's own tensors stop requiring gradient and so stay bit for bit as they are. A float bank
     * only (a factorized bank trains rows of A; B stays fixed).
     */
    public void trainOnlyRows(Tensor ids) {
        if (rows == null) {
            throw new IllegalStateException("a bank held as int codes has no float rows to train");
        }
        if (trainedRows != null) {
            throw new IllegalStateException("this bank already trains a chosen set of rows");
        }
        try (Scope ignored = Scope.noGrad()) {
            // on the rows' device: a plain field, which moving the module would not carry along
            trainedIds = Ops.on(ids, rows).to(ScalarType.Long).clone();
            trainedRows = rows.index_select(0, trainedIds).to(ScalarType.Float).clone();
        }
        rows.requires_grad_(false);
        if (basis != null) {
            basis.requires_grad_(false);
        }
        trainedRows.requires_grad_(true);
        register_parameter(TRAINED_ROWS, trainedRows);
    }

    /** Ids [t] of the rows trained alone, or null. */
    public Tensor trainedIds() {
        return trainedIds;
    }

    /** The trained values [t, w] of those rows (float32), or null. */
    public Tensor trainedRows() {
        return trainedRows;
    }

    /**
     * Sets rows {@code ids} (int64 [t]) of a float bank to {@code values} [t, w] in place, as an
     * adapter of changed rows applies to its base; refused for a bank held as codes.
     */
    public void setRows(Tensor ids, Tensor values) {
        if (rows == null) {
            throw new IllegalStateException("a bank held as int codes cannot take float rows");
        }
        try (Scope ignored = Scope.noGrad()) {
            rows.index_copy_(0, Ops.on(ids, rows), values.to(rows.device(), rows.scalar_type()));
        }
    }

    /** The name of the tensor whose rows are the memory tokens' rows: {@code weight}, or {@code a} when factorized. */
    public String rowTensorName() {
        return basis != null ? A : WEIGHT;
    }

    /** The quantizer of a quantised bank, or null. */
    public RowQuantizer quantizer() {
        return quantizer;
    }

    /** Whether this bank holds int codes rather than a float copy. */
    public boolean holdsCodes() {
        return held != null;
    }

    /**
     * The tensors a checkpoint stores for this bank, by their names inside it: the float rows (and
     * B), or for a quantised bank its codes and scales (those held, or the float copy's now).
     */
    public Map<String, Tensor> stored() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (quantizer != null) {
            RowQuantizer.Codes codes = held != null ? held : quantizer.quantise(rows);
            out.put(QWEIGHT, codes.codes());
            out.put(SCALES, codes.scales());
        } else if (basis != null) {
            out.put(A, rows);
            out.put(B, basis);
        } else {
            out.put(WEIGHT, rows);
        }
        return out;
    }
}
