package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.ConfigJson;
import membank.eval.LossPlot;
import membank.util.AtomicFile;

/**
 * report.md of a run directory, built from results.jsonl alone (and the run's metrics.jsonl files
 * for the loss plots), so {@code membank experiment report DIR} rebuilds the same report.
 */
public final class ExperimentReport {
    public static final String NAME = "report.md";

    private ExperimentReport() {
    }

    /** Writes report.md, loss-pretrain.png, loss-instruct.png and recall.png into {@code dir}; returns the Markdown. */
    public static String write(Path dir) {
        Experiment experiment = read(dir);
        List<UnitResult> results = ResultsFile.read(dir);
        JsonNode info = Files.isRegularFile(dir.resolve(ExperimentRunner.RUN_INFO))
                ? ConfigJson.read(dir.resolve(ExperimentRunner.RUN_INFO)) : null;
        List<String> arms = experiment.arms().stream().map(Arm::name).toList();
        plots(dir, experiment, results, arms);
        String markdown = markdown(experiment, results, info);
        try {
            AtomicFile.write(dir.resolve(NAME), markdown.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        }
        return markdown;
    }

    /** The verdict and the results table, for the terminal. */
    public static String summary(Path dir) {
        Experiment experiment = read(dir);
        List<UnitResult> results = ResultsFile.read(dir);
        return resultsTable(experiment, results) + "\n" + verdicts(experiment, results);
    }

    private static Experiment read(Path dir) {
        Path copy = dir.resolve(ExperimentRunner.FILE_COPY);
        if (!Files.isRegularFile(copy)) {
            throw new IllegalArgumentException(dir + " is not an experiment run directory (no " + ExperimentRunner.FILE_COPY
                    + "); run 'membank experiment run FILE --out " + dir + "' first");
        }
        return ExperimentJson.parse(ConfigJson.read(copy), copy.toString());
    }

    static String markdown(Experiment experiment, List<UnitResult> results, JsonNode info) {
        StringBuilder b = new StringBuilder();
        b.append("# Experiment ").append(experiment.name()).append("\n\n");
        if (info != null) {
            b.append("    ").append(info.path("command").asText()).append("\n\n");
            b.append("Machine: ").append(info.path("machine").asText()).append("; precision ")
                    .append(info.path("precision").asText()).append(".\n");
        }
        b.append("Seeds: ").append(experiment.seeds()).append("; ").append(results.size()).append(" of ")
                .append(experiment.seeds().size() * experiment.arms().size() * 2).append(" units measured. Numbers are the mean")
                .append(" ± the standard deviation over seeds (no ± with one seed).\n\n");
        b.append("## Verdict\n\n").append(verdicts(experiment, results)).append('\n');
        b.append("## Arms\n\n").append(armsTable(experiment, results)).append('\n');
        b.append("## Results\n\n").append(resultsTable(experiment, results)).append('\n');
        b.append("## Plots\n\n![loss curves, pretraining](loss-pretrain.png)\n\n![loss curves, instruct phase](loss-instruct.png)\n\n"
                + "![recall before and after the instruct phase](recall.png)\n\n");
        b.append(LEGEND);
        return b.toString();
    }

    private static final String LEGEND = """
            ## How to read this

            - **val loss**: loss (nats/token) on the pretraining validation data (the knowledge set in wordings training \
            never used), after the phase.
            - **fact recall**: share of the pretrained facts whose probe (a training-style sentence cut before the answer) \
            is completed exactly by greedy decoding. These facts appear only in pretraining.
            - **QA accuracy**: the same facts asked as "Question: ... Answer:", the format of the instruct phase, which \
            trains on other people: it measures whether the format reaches facts learnt in pretraining.
            - **instruct QA**: accuracy on the questions the instruct phase trained on.
            - **forgetting**: recall after the instruct phase minus recall after pretraining, per seed; negative is facts lost.
            - **tokens/s**: training throughput of the phase; **training FLOPs**: analytical FLOPs per token \
            (docs/flops.md) x tokens trained in the phase.
            - A verdict needs a difference larger than the spread (the sum of both arms' standard deviations); one seed \
            gives none.
            """;

    private static String verdicts(Experiment experiment, List<UnitResult> results) {
        Arm memory = first(experiment, ArmKind.MEMORY);
        Arm iso = first(experiment, ArmKind.ISO_FLOP);
        if (memory == null || iso == null) {
            return "No verdict: the experiment needs a memory arm and an iso-flop arm to compare.\n";
        }
        StringBuilder b = new StringBuilder();
        for (String phase : List.of(Phase.PRETRAIN, Phase.INSTRUCT)) {
            b.append("- ").append(Verdict.compare("val loss after " + phase, "iso-FLOP", metric(results, memory.name(), phase, UnitResult::valLoss),
                    metric(results, iso.name(), phase, UnitResult::valLoss), false, "memory lower", "memory higher", "%.4f")).append('\n');
        }
        b.append("- ").append(Verdict.compare("forgetting (recall change)", "iso-FLOP",
                Spread.of(Forgetting.perSeed(results, memory.name())), Spread.of(Forgetting.perSeed(results, iso.name())),
                true, "memory forgot less", "memory forgot more", "%.3f")).append('\n');
        return b.toString();
    }

    private static Arm first(Experiment experiment, ArmKind kind) {
        return experiment.arms().stream().filter(a -> a.kind() == kind).findFirst().orElse(null);
    }

    static Spread metric(List<UnitResult> results, String arm, String phase, ToDoubleFunction<UnitResult> value) {
        List<Double> values = new ArrayList<>();
        results.stream().filter(r -> r.arm().equals(arm) && r.phase().equals(phase)).forEach(r -> values.add(value.applyAsDouble(r)));
        return Spread.of(values);
    }

    private static String armsTable(Experiment experiment, List<UnitResult> results) {
        StringBuilder b = new StringBuilder("| arm | kind | model | parameters | training FLOPs/token (pretrain) |\n|---|---|---|---:|---:|\n");
        for (Arm arm : experiment.arms()) {
            UnitResult r = results.stream().filter(u -> u.arm().equals(arm.name()) && u.phase().equals(Phase.PRETRAIN))
                    .findFirst().orElse(null);
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", arm.name(), arm.kind().label(),
                    r == null ? "-" : r.model(), r == null ? "-" : String.format(Locale.ROOT, "%,d", r.params()),
                    r == null ? "-" : String.format(Locale.ROOT, "%.3g", r.flopsPerToken())));
        }
        return b.toString();
    }

    private static String resultsTable(Experiment experiment, List<UnitResult> results) {
        StringBuilder b = new StringBuilder("| arm | phase | seeds | val loss | fact recall | QA accuracy | instruct QA | forgetting"
                + " | tokens/s | training FLOPs |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Arm arm : experiment.arms()) {
            for (Phase phase : experiment.phases()) {
                String p = phase.name();
                Spread loss = metric(results, arm.name(), p, UnitResult::valLoss);
                String forgetting = Phase.INSTRUCT.equals(p) ? percentPoints(Spread.of(Forgetting.perSeed(results, arm.name()))) : "";
                b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", arm.name(), p, loss.n(),
                        loss.format("%.4f"), percent(metric(results, arm.name(), p, UnitResult::recall)),
                        percent(metric(results, arm.name(), p, UnitResult::qaAccuracy)),
                        percent(metric(results, arm.name(), p, UnitResult::instructQa)), forgetting,
                        metric(results, arm.name(), p, UnitResult::tokensPerSecond).format("%,.0f"),
                        metric(results, arm.name(), p, UnitResult::trainFlops).format("%.3g")));
            }
        }
        return b.toString();
    }

    private static String percent(Spread s) {
        return scaled(s, 100).format("%.1f%%");
    }

    private static String percentPoints(Spread s) {
        return scaled(s, 100).format("%+.1f pt");
    }

    private static Spread scaled(Spread s, double k) {
        return new Spread(s.n(), s.mean() * k, s.std() * k, s.min() * k, s.max() * k);
    }

    private static void plots(Path dir, Experiment experiment, List<UnitResult> results, List<String> arms) {
        for (Phase phase : experiment.phases()) {
            Map<String, Path> runs = new LinkedHashMap<>();
            for (String arm : arms) {
                for (long seed : experiment.seeds()) {
                    Path metrics = ExperimentRunner.unitDir(dir, arm, seed, phase.name()).resolve("metrics.jsonl");
                    if (Files.isRegularFile(metrics)) {
                        runs.put(arm + " (seed " + seed + ")", metrics);
                        break;
                    }
                }
            }
            if (!runs.isEmpty()) {
                LossPlot.write(runs, dir.resolve("loss-" + phase.name() + ".png"), "Loss, " + phase.name() + " phase (first seed per arm)");
            }
        }
        List<Spread> before = new ArrayList<>();
        List<Spread> after = new ArrayList<>();
        for (String arm : arms) {
            before.add(metric(results, arm, Phase.PRETRAIN, UnitResult::recall));
            after.add(metric(results, arm, Phase.INSTRUCT, UnitResult::recall));
        }
        RecallChart.write(arms, before, after, dir.resolve("recall.png"));
    }
}
