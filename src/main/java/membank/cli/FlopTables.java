package membank.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import membank.config.ModelConfig;
import membank.config.ParameterCount;
import membank.experiment.BaselineCandidate;
import membank.experiment.BaselineKind;
import membank.experiment.IsoFlopBaseline;
import membank.model.FlopBreakdown;

/** The FLOP tables of {@code membank inspect}: per component, and iso-FLOP baselines side by side. */
final class FlopTables {
    private FlopTables() {
    }

    static void breakdown(PrintWriter out, FlopBreakdown b) {
        out.printf(Locale.ROOT, "FLOPs per token at seq_len %d, forward passes of %d sequences (matmuls only,"
                + " multiply-add = 2; docs/flops.md):%n", b.seqLen(), b.batch());
        out.printf(Locale.ROOT, "  %-28s %5s %14s %14s %7s%n", "component", "count", "forward", "backward", "share");
        for (FlopBreakdown.Row row : b.rows()) {
            out.printf(Locale.ROOT, "  %-28s %5d %14s %14s %6.1f%%%n", row.component(), row.count(), flops(row.forward()),
                    flops(row.backward()), 100 * b.share(row));
        }
        out.printf(Locale.ROOT, "  %-28s %5s %14s %14s %6.1f%%%n", "total", "", flops(b.forward()), flops(b.backward()), 100.0);
        out.printf(Locale.ROOT, "forward FLOPs per token at seq_len %d, batch %d: %s; training (forward + backward): %s%n",
                b.seqLen(), b.batch(), flops(b.forward()), flops(b.trainPerToken()));
    }

    static void isoFlop(PrintWriter out, IsoFlopBaseline sized, BaselineKind chosen) {
        out.printf(Locale.ROOT, "iso-FLOP baselines at seq_len %d, batch %d: plain transformers whose training FLOPs per"
                        + " token (forward + backward) are closest to the memory model's, deeper (same width) and wider"
                        + " (same depth)%n", sized.seqLen(), sized.batch());
        List<ModelConfig> models = List.of(sized.model(), sized.deeper().config(), sized.wider().config());
        out.printf(Locale.ROOT, "  %-22s %14s %14s %14s%n", "", "memory model", "deeper", "wider");
        row(out, "layers", models, c -> Integer.toString(c.numHiddenLayers()));
        row(out, "hidden", models, c -> Integer.toString(c.hiddenSize()));
        row(out, "intermediate", models, c -> Integer.toString(c.intermediateSize()));
        row(out, "heads (kv)", models, c -> c.numAttentionHeads() + " (" + c.numKeyValueHeads() + ")");
        row(out, "head_dim", models, c -> Integer.toString(c.headDim()));
        row(out, "parameters", models, c -> Tables.human(ParameterCount.total(c)));
        row(out, "  of which memory", models, c -> Tables.human(ParameterCount.memory(c)));
        out.printf(Locale.ROOT, "  %-22s %14s %14s %14s%n", "train FLOPs/token", flops(sized.modelFlops()),
                flops(sized.deeper().measured()), flops(sized.wider().measured()));
        out.printf(Locale.ROOT, "  %-22s %14s %14s %14s%n", "ratio", "1.000", ratio(sized.deeper()), ratio(sized.wider()));
        out.printf(Locale.ROOT, "  %-22s %14s %14s %14s%n", "within 5%", "", within(sized.deeper()), within(sized.wider()));
        out.printf(Locale.ROOT, "baseline: %s%s%n", chosen.label(), chosen == BaselineKind.DEEPER
                ? " (the default; --baseline wider for the other)" : " (--baseline)");
    }

    private static void row(PrintWriter out, String name, List<ModelConfig> models, Function<ModelConfig, String> value) {
        out.printf(Locale.ROOT, "  %-22s %14s %14s %14s%n", name, value.apply(models.get(0)), value.apply(models.get(1)),
                value.apply(models.get(2)));
    }

    private static String ratio(BaselineCandidate c) {
        return String.format(Locale.ROOT, "%.3f", c.ratio());
    }

    private static String within(BaselineCandidate c) {
        return c.within(IsoFlopBaseline.TOLERANCE) ? "yes" : "no";
    }

    /** FLOPs with an SI prefix: 319.5 KFLOP, 23.626 MFLOP, 1.234 GFLOP. */
    static String flops(double flops) {
        if (flops >= 1e12) {
            return String.format(Locale.ROOT, "%.3f TFLOP", flops / 1e12);
        }
        if (flops >= 1e9) {
            return String.format(Locale.ROOT, "%.3f GFLOP", flops / 1e9);
        }
        if (flops >= 1e6) {
            return String.format(Locale.ROOT, "%.3f MFLOP", flops / 1e6);
        }
        if (flops >= 1e3) {
            return String.format(Locale.ROOT, "%.1f KFLOP", flops / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f FLOP", flops);
    }
}
