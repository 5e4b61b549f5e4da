package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.ConfigJson;
import membank.eval.LossPlot;
import membank.util.AtomicFile;

/**
 * report.md of a run directory, built from results.jsonl alone (and the run's metrics.jsonl files
 * for the loss plots), so {@code membank experiment report DIR} rebuilds the same report. Columns
 * a run did not measure (recall on text, bits per byte on the knowledge set, the instruct phase's
 * measures without one) are left out.
 */
public final class ExperimentReport {
    public static final String NAME = "report.md";

    private ExperimentReport() {
    }

    /** Writes report.md and its plots into {@code dir}; returns the Markdown. */
    public static String write(Path dir) {
        Experiment experiment = read(dir);
        List<UnitResult> results = UnitResult.results(dir).read();
        JsonNode info = Files.isRegularFile(dir.resolve(ExperimentRunner.RUN_INFO))
                ? ConfigJson.read(dir.resolve(ExperimentRunner.RUN_INFO)) : null;
        List<String> plots = ReportPlots.write(dir, experiment, results);
        String markdown = markdown(experiment, results, info, plots);
        try {
            AtomicFile.write(dir.resolve(NAME), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        }
        return markdown;
    }

    /** The verdict and the results table, for the terminal. */
    public static String summary(Path dir) {
        Experiment experiment = read(dir);
        List<UnitResult> results = UnitResult.results(dir).read();
        return resultsTable(experiment, results) + "\n" + ReportVerdicts.of(experiment, results);
    }

    private static Experiment read(Path dir) {
        Path copy = dir.resolve(ExperimentRunner.FILE_COPY);
        if (!Files.isRegularFile(copy)) {
            throw new IllegalArgumentException(dir + " is not an experiment run directory (no " + ExperimentRunner.FILE_COPY
                    + "); run 'membank experiment run FILE --out " + dir + "' first");
        }
        return ExperimentJson.parse(ConfigJson.read(copy), copy.toString());
    }

    static String markdown(Experiment experiment, List<UnitResult> results, JsonNode info, List<String> plots) {
        StringBuilder b = new StringBuilder();
        b.append("# Experiment ").append(experiment.name()).append("\n\n");
        if (info != null) {
            b.append("    ").append(info.path("command").asText()).append("\n\n");
            b.append("Machine: ").append(info.path("machine").asText()).append("; precision ")
                    .append(info.path("precision").asText());
            // runs written before devices and ranks were recorded have neither
            if (info.path("ranks").asInt(1) > 1) {
                b.append("; ").append(info.path("ranks").asInt()).append(" data-parallel ranks");
            }
            if (!info.path("device").asText("cpu").equals("cpu")) {
                b.append("; device ").append(info.path("device").asText());
            }
            b.append(".\n");
        }
        b.append("Seeds: ").append(experiment.seeds()).append("; ").append(results.size()).append(" of ")
                .append(experiment.units()).append(" units measured. Numbers are the mean")
                .append(" ± the standard deviation over seeds (no ± with one seed).");
        double wall = results.stream().mapToDouble(UnitResult::wallSeconds).filter(s -> !Double.isNaN(s)).sum();
        if (wall > 0) {
            b.append(String.format(Locale.ROOT, " Wall time of the units measured (training and measuring): %.0f minutes.", wall / 60));
        }
        b.append("\n\n");
        b.append("## Verdict\n\n").append(ReportVerdicts.of(experiment, results)).append('\n');
        b.append("## Arms\n\n").append(armsTable(experiment, results)).append('\n');
        if (experiment.phases().size() == 1 && experiment.sweep().points().size() > 1 && has(results, UnitResult::knowledgeBits)) {
            b.append("## Knowledge stored\n\n").append(capacityTable(experiment, results)).append('\n');
        }
        b.append("## Results\n\n").append(resultsTable(experiment, results)).append('\n');
        if (!plots.isEmpty()) {
            b.append("## Plots\n\n");
            plots.forEach(p -> b.append(p).append("\n\n"));
        }
        b.append(LEGEND);
        return b.toString();
    }

    private static final String LEGEND = """
            ## How to read this

            - **exposures**: how many times training saw each training document; on the knowledge set a document is one \
            person's biography, so this is how often each fact was seen (mean over people).
            - **val loss**: loss (nats/token) on the pretraining validation data (the knowledge set in wordings training \
            never used, or the held-out slice of a text corpus), after the phase; **bits/byte** is the same loss per byte \
            of text.
            - **fact recall**: share of the pretrained facts whose probe (a training-style sentence cut before the answer) \
            is completed exactly by greedy decoding.
            - **knowledge bits**: what the recall shows the model knows, by Fano's inequality: per person and attribute \
            log2 V - H(p) - (1 - p) log2(V - 1) bits for V values answered right with probability p (0 at chance); \
            **bits/param** divides it by the arm's parameters (bank included).
            - **QA accuracy**: the pretrained facts asked as "Question: ... Answer:", the format of the instruct phase, \
            which trains on other people. **instruct QA**: accuracy on the instruct phase's own questions.
            - **forgetting**: recall after the instruct phase minus recall after pretraining, per seed. **known kept**: \
            of the facts a seed's model recalled after pretraining, the share it still recalls after the instruct phase.
            - **tokens/s**: training throughput of the phase; **training FLOPs**: analytical FLOPs per token \
            (docs/flops.md) x tokens trained in the phase.
            - A verdict needs a difference larger than the spread (the sum of both arms' standard deviations); one seed \
            gives none.
            """;

    static Spread metric(List<UnitResult> results, String point, String arm, String phase, ToDoubleFunction<UnitResult> value) {
        List<Double> values = new ArrayList<>();
        results.stream().filter(r -> r.point().equals(point) && r.arm().equals(arm) && r.phase().equals(phase))
                .forEach(r -> values.add(value.applyAsDouble(r)));
        return Spread.of(values);
    }

    static boolean has(List<UnitResult> results, ToDoubleFunction<UnitResult> value) {
        return results.stream().anyMatch(r -> !Double.isNaN(value.applyAsDouble(r)));
    }

    private static String armsTable(Experiment experiment, List<UnitResult> results) {
        boolean sweep = !experiment.sweep().isNone();
        StringBuilder b = new StringBuilder(sweep ? "| " + experiment.sweep().name() + " " : "")
                .append("| arm | kind | model | parameters | training FLOPs/token (pretrain) |\n")
                .append(sweep ? "|---" : "").append("|---|---|---|---:|---:|\n");
        for (Sweep.Point point : experiment.sweep().points()) {
            for (Arm arm : experiment.arms()) {
                UnitResult r = results.stream().filter(u -> u.point().equals(point.label()) && u.arm().equals(arm.name())
                        && u.phase().equals(Phase.PRETRAIN)).findFirst().orElse(null);
                b.append(sweep ? "| " + point.label() + " " : "").append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n",
                        arm.name(), arm.kind().label(), r == null ? "-" : r.model(),
                        r == null ? "-" : String.format(Locale.ROOT, "%,d", r.params()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3g", r.flopsPerToken())));
            }
        }
        return b.toString();
    }

    /** Per arm: the most knowledge any sweep point showed, and per parameter. */
    private static String capacityTable(Experiment experiment, List<UnitResult> results) {
        StringBuilder b = new StringBuilder("| arm | parameters | most knowledge bits | at " + experiment.sweep().name()
                + " | bits/param |\n|---|---:|---:|---:|---:|\n");
        for (Arm arm : experiment.arms()) {
            String best = null;
            Spread bestBits = Spread.of(List.of());
            for (Sweep.Point point : experiment.sweep().points()) {
                Spread bits = metric(results, point.label(), arm.name(), Phase.PRETRAIN, UnitResult::knowledgeBits);
                if (bits.n() > 0 && (bestBits.n() == 0 || bits.mean() > bestBits.mean())) {
                    best = point.label();
                    bestBits = bits;
                }
            }
            String at = best;
            Spread perParam = metric(results, at == null ? "" : at, arm.name(), Phase.PRETRAIN, r -> r.knowledgeBits() / r.params());
            long params = results.stream().filter(r -> r.arm().equals(arm.name()) && r.point().equals(at)).mapToLong(UnitResult::params)
                    .findFirst().orElse(0);
            b.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s |%n", arm.name(), params, bestBits.format("%,.0f"),
                    at == null ? "-" : at, perParam.format("%.4f")));
        }
        return b.toString();
    }

    /** A column of the results table: its heading, whether a result has it, and its cell. */
    private record Column(String heading, ToDoubleFunction<UnitResult> value, String pattern, double scale) {
        boolean measured(List<UnitResult> results) {
            return has(results, value);
        }
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("exposures", UnitResult::exposures, "%.3g", 1),
            new Column("val loss", UnitResult::valLoss, "%.4f", 1),
            new Column("bits/byte", UnitResult::bitsPerByte, "%.4f", 1),
            new Column("fact recall", UnitResult::recall, "%.1f%%", 100),
            new Column("knowledge bits", UnitResult::knowledgeBits, "%,.0f", 1),
            new Column("bits/param", r -> r.knowledgeBits() / r.params(), "%.4f", 1),
            new Column("QA accuracy", UnitResult::qaAccuracy, "%.1f%%", 100),
            new Column("instruct QA", UnitResult::instructQa, "%.1f%%", 100),
            new Column("known kept", UnitResult::knownKept, "%.1f%%", 100),
            new Column("tokens/s", UnitResult::tokensPerSecond, "%,.0f", 1),
            new Column("training FLOPs", UnitResult::trainFlops, "%.3g", 1));

    private static String resultsTable(Experiment experiment, List<UnitResult> results) {
        boolean sweep = !experiment.sweep().isNone();
        boolean forgetting = experiment.instruct() != null;
        List<Column> columns = COLUMNS.stream().filter(c -> c.measured(results)).toList();
        StringBuilder b = new StringBuilder(sweep ? "| " + experiment.sweep().name() + " " : "").append("| arm | phase | seeds");
        StringBuilder rule = new StringBuilder(sweep ? "|---" : "").append("|---|---|---:");
        for (Column c : columns) {
            b.append(" | ").append(c.heading());
            rule.append("|---:");
            if (forgetting && c.heading().equals("instruct QA")) {
                b.append(" | forgetting");
                rule.append("|---:");
            }
        }
        b.append(" |\n").append(rule).append("|\n");
        for (Sweep.Point point : experiment.sweep().points()) {
            for (Arm arm : experiment.arms()) {
                for (Phase phase : experiment.phases()) {
                    String p = phase.name();
                    Spread loss = metric(results, point.label(), arm.name(), p, UnitResult::valLoss);
                    b.append(sweep ? "| " + point.label() + " " : "").append("| ").append(arm.name()).append(" | ").append(p)
                            .append(" | ").append(loss.n());
                    for (Column c : columns) {
                        b.append(" | ").append(scaled(metric(results, point.label(), arm.name(), p, c.value()), c.scale()).format(c.pattern()));
                        if (forgetting && c.heading().equals("instruct QA")) {
                            b.append(" | ").append(Phase.INSTRUCT.equals(p)
                                    ? scaled(Spread.of(Forgetting.perSeed(results, point.label(), arm.name())), 100).format("%+.1f pt") : "");
                        }
                    }
                    b.append(" |\n");
                }
            }
        }
        return b.toString();
    }

    static Spread scaled(Spread s, double k) {
        return new Spread(s.n(), s.mean() * k, s.std() * k, s.min() * k, s.max() * k);
    }

    /** Arms of the experiment that {@code keep} accepts, in file order. */
    static List<Arm> arms(Experiment experiment, Predicate<Arm> keep) {
        return experiment.arms().stream().filter(keep).toList();
    }

    static Map<String, List<Spread>> bySweep(Experiment experiment, List<UnitResult> results, String phase,
                                             ToDoubleFunction<UnitResult> value) {
        Map<String, List<Spread>> out = new LinkedHashMap<>();
        for (Arm arm : experiment.arms()) {
            List<Spread> spreads = new ArrayList<>();
            for (Sweep.Point point : experiment.sweep().points()) {
                spreads.add(metric(results, point.label(), arm.name(), phase, value));
            }
            out.put(arm.name(), spreads);
        }
        return out;
    }

    static void loss(Path dir, Experiment experiment, String point, Phase phase, Path png) {
        Map<String, Path> runs = new LinkedHashMap<>();
        for (Arm arm : experiment.arms()) {
            for (long seed : experiment.seeds()) {
                Path metrics = ExperimentRunner.unitDir(dir, point, arm.name(), seed, phase.name()).resolve("metrics.jsonl");
                if (Files.isRegularFile(metrics)) {
                    runs.put(arm.name() + " (seed " + seed + ")", metrics);
                    break;
                }
            }
        }
        if (!runs.isEmpty()) {
            LossPlot.write(runs, png, "Loss, " + phase.name() + " phase" + (point.isEmpty() ? "" : ", " + point)
                    + " (first seed per arm)");
        }
    }
}
