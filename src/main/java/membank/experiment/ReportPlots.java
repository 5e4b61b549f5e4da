package membank.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The plots of a report: loss curves of each phase (at the last sweep point), recall before and
 * after the instruct phase, and with a sweep, each measured metric against the swept quantity.
 * Returns the Markdown lines that show them.
 */
final class ReportPlots {
    private ReportPlots() {
    }

    static List<String> write(Path dir, Experiment experiment, List<UnitResult> results) {
        List<String> lines = new ArrayList<>();
        List<Sweep.Point> points = experiment.sweep().points();
        String last = points.get(points.size() - 1).label();
        for (Phase phase : experiment.phases()) {
            String png = "loss-" + phase.name() + ".png";
            ExperimentReport.loss(dir, experiment, last, phase, dir.resolve(png));
            lines.add("![loss curves, " + phase.name() + (last.isEmpty() ? "" : ", " + last) + "](" + png + ")");
        }
        boolean knows = ExperimentReport.has(results, UnitResult::recall);
        if (experiment.instruct() != null && knows) {
            List<String> arms = experiment.arms().stream().map(Arm::name).toList();
            List<Spread> before = new ArrayList<>();
            List<Spread> after = new ArrayList<>();
            for (String arm : arms) {
                before.add(ExperimentReport.metric(results, last, arm, Phase.PRETRAIN, UnitResult::recall));
                after.add(ExperimentReport.metric(results, last, arm, Phase.INSTRUCT, UnitResult::recall));
            }
            RecallChart.write(arms, before, after, dir.resolve("recall.png"));
            lines.add("![recall before and after the instruct phase](recall.png)");
        }
        if (points.size() > 1) {
            if (knows) {
                sweep(dir, experiment, results, lines, "recall", "Fact recall", "recall (%)", UnitResult::recall, 100);
                sweep(dir, experiment, results, lines, "bits", "Knowledge bits (Fano bound)", "bits", UnitResult::knowledgeBits, 1);
            }
            if (ExperimentReport.has(results, UnitResult::bitsPerByte)) {
                sweep(dir, experiment, results, lines, "bpb", "Validation bits per byte", "bits/byte", UnitResult::bitsPerByte, 1);
            }
            sweep(dir, experiment, results, lines, "loss", "Validation loss", "loss (nats/token)", UnitResult::valLoss, 1);
        }
        return lines;
    }

    private static void sweep(Path dir, Experiment experiment, List<UnitResult> results, List<String> lines, String file,
                              String title, String yTitle, ToDoubleFunction<UnitResult> value, double scale) {
        String phase = experiment.phases().get(experiment.phases().size() - 1).name();
        Map<String, List<Spread>> byArm = ExperimentReport.bySweep(experiment, results, phase, value);
        String png = "sweep-" + file + ".png";
        String what = title + " against " + experiment.sweep().name() + " (after " + phase + ")";
        SweepChart.write(what, experiment.sweep().name(), yTitle, experiment.sweep().labels(), byArm, scale, dir.resolve(png));
        lines.add("![" + what + "](" + png + ")");
    }
}
