package membank.model;

import java.util.List;

/**
 * Matmul FLOPs per token of a model, one row per component (summed over its {@code count}
 * instances, e.g. layers), for sequences of {@code seqLen} tokens in forward passes of
 * {@code batch} sequences (the batch matters only for work done once per forward pass, such as
 * projecting the bank's keys and values). Built by {@link FlopCounter}; docs/flops.md has the
 * formulas.
 */
public record FlopBreakdown(long seqLen, long batch, List<Row> rows) {
    /** One component: forward and backward FLOPs per token over all {@code count} instances. */
    public record Row(String component, int count, double forward, double backward) {
        public double train() {
            return forward + backward;
        }
    }

    public FlopBreakdown {
        rows = List.copyOf(rows);
    }

    public double forward() {
        return rows.stream().mapToDouble(Row::forward).sum();
    }

    public double backward() {
        return rows.stream().mapToDouble(Row::backward).sum();
    }

    /** Forward plus backward: what one trained token costs. */
    public double trainPerToken() {
        return forward() + backward();
    }

    /** The row's part of {@link #trainPerToken()}, 0..1. */
    public double share(Row row) {
        double total = trainPerToken();
        return total == 0 ? 0 : row.train() / total;
    }

    /** The row named {@code component}; components a model lacks (no memory, no router) have none. */
    public Row row(String component) {
        return rows.stream().filter(r -> r.component().equals(component)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no FLOP row '" + component + "'; rows: "
                        + rows.stream().map(Row::component).toList()));
    }

    public boolean has(String component) {
        return rows.stream().anyMatch(r -> r.component().equals(component));
    }
}
