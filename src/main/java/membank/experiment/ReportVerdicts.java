package membank.experiment;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The verdict lines of a report, by the rule of {@link Verdict}: at each sweep point the memory
 * arm against each baseline on what the data lets us measure (fact recall on the knowledge set,
 * bits per byte on text; validation loss against the iso-FLOP arm), each memory variant's share of
 * known facts kept through the instruct phase against each arm without memory, and along a sweep each
 * arm's last point against its first.
 */
final class ReportVerdicts {
    private ReportVerdicts() {
    }

    static String of(Experiment experiment, List<UnitResult> results) {
        Arm memory = first(experiment, ArmKind.MEMORY);
        if (memory == null) {
            return "No verdict: the experiment has no memory arm to compare.\n";
        }
        boolean knows = ExperimentReport.has(results, UnitResult::recall);
        StringBuilder b = new StringBuilder();
        for (Sweep.Point point : experiment.sweep().points()) {
            String at = point.label().isEmpty() ? "" : " at " + experiment.sweep().name() + " " + point.label();
            for (Arm other : ExperimentReport.arms(experiment, a -> !a.kind().hasMemory())) {
                String name = other.name();
                if (knows) {
                    line(b, "fact recall after pretraining" + at, memory.name(), name,
                            spread(results, point, memory, Phase.PRETRAIN, UnitResult::recall),
                            spread(results, point, other, Phase.PRETRAIN, UnitResult::recall), true, "%.3f");
                } else {
                    line(b, "bits per byte" + at, memory.name(), name,
                            spread(results, point, memory, Phase.PRETRAIN, UnitResult::bitsPerByte),
                            spread(results, point, other, Phase.PRETRAIN, UnitResult::bitsPerByte), false, "%.4f");
                }
                if (other.kind() == ArmKind.ISO_FLOP) {
                    for (Phase phase : experiment.phases()) {
                        line(b, "val loss after " + phase.name() + at, memory.name(), name,
                                spread(results, point, memory, phase.name(), UnitResult::valLoss),
                                spread(results, point, other, phase.name(), UnitResult::valLoss), false, "%.4f");
                    }
                }
            }
            if (experiment.instruct() != null && knows) {
                for (Arm other : ExperimentReport.arms(experiment, a -> !a.kind().hasMemory())) {
                    for (Arm variant : ExperimentReport.arms(experiment, a -> a.kind().hasMemory())) {
                        line(b, "known facts kept through the instruct phase" + at, variant.name(), other.name(),
                                spread(results, point, variant, Phase.INSTRUCT, UnitResult::knownKept),
                                spread(results, point, other, Phase.INSTRUCT, UnitResult::knownKept), true, "%.3f");
                    }
                }
            }
        }
        trends(b, experiment, results, knows);
        return b.length() == 0 ? "No verdict: the experiment has no baseline arm to compare the memory arm with.\n" : b.toString();
    }

    /** Along a sweep: each arm's last point against its first. */
    private static void trends(StringBuilder b, Experiment experiment, List<UnitResult> results, boolean knows) {
        List<Sweep.Point> points = experiment.sweep().points();
        if (points.size() < 2) {
            return;
        }
        Sweep.Point first = points.get(0);
        Sweep.Point last = points.get(points.size() - 1);
        String phase = experiment.phases().get(experiment.phases().size() - 1).name();
        String sweep = experiment.sweep().name();
        for (Arm arm : experiment.arms()) {
            String to = sweep + " " + last.label();
            String from = sweep + " " + first.label();
            if (knows) {
                b.append("- ").append(Verdict.trend("fact recall", arm.name(), to, from, spread(results, last, arm, phase,
                        UnitResult::recall), spread(results, first, arm, phase, UnitResult::recall), "%.3f")).append('\n');
            }
            b.append("- ").append(Verdict.trend("val loss", arm.name(), to, from, spread(results, last, arm, phase,
                    UnitResult::valLoss), spread(results, first, arm, phase, UnitResult::valLoss), "%.4f")).append('\n');
        }
    }

    private static void line(StringBuilder b, String metric, String subject, String other, Spread a, Spread c,
                             boolean higherIsBetter, String pattern) {
        String up = subject + " higher";
        String down = subject + " lower";
        b.append("- ").append(Verdict.compare(metric, subject, other, a, c, higherIsBetter, higherIsBetter ? up : down,
                higherIsBetter ? down : up, pattern)).append('\n');
    }

    private static Spread spread(List<UnitResult> results, Sweep.Point point, Arm arm, String phase,
                                 ToDoubleFunction<UnitResult> value) {
        return ExperimentReport.metric(results, point.label(), arm.name(), phase, value);
    }

    private static Arm first(Experiment experiment, ArmKind kind) {
        return experiment.arms().stream().filter(a -> a.kind() == kind).findFirst().orElse(null);
    }
}
