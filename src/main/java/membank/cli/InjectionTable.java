package membank.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import membank.train.InjectionResult;

/**
 * The comparison's results grouped by method, base and budget, each measure the mean over seeds
 * with the standard deviation after ± when there is more than one seed.
 */
final class InjectionTable {
    /** The results of one method on one base at one budget, one per seed. */
    record Group(String method, String base, int budget, List<InjectionResult> seeds) {
        double mean(ToDoubleFunction<InjectionResult> measure) {
            return seeds.stream().mapToDouble(measure).average().orElse(Double.NaN);
        }

        double std(ToDoubleFunction<InjectionResult> measure) {
            if (seeds.size() < 2) {
                return 0;
            }
            double m = mean(measure);
            double sum = seeds.stream().mapToDouble(r -> Math.pow(measure.applyAsDouble(r) - m, 2)).sum();
            return Math.sqrt(sum / (seeds.size() - 1));
        }

        InjectionResult first() {
            return seeds.get(0);
        }
    }

    private InjectionTable() {
    }

    /** Groups in the order of first appearance: the bases, then methods by budget. */
    static List<Group> groups(List<InjectionResult> results) {
        Map<String, List<InjectionResult>> by = new LinkedHashMap<>();
        List<InjectionResult> ordered = new ArrayList<>(results);
        ordered.sort((a, b) -> Integer.compare(a.budget(), b.budget()));
        for (InjectionResult r : ordered) {
            by.computeIfAbsent(r.method() + "|" + r.base() + "|" + r.budget(), k -> new ArrayList<>()).add(r);
        }
        return by.values().stream().map(l -> new Group(l.get(0).method(), l.get(0).base(), l.get(0).budget(), l)).toList();
    }

    /** The unadapted base of kind {@code base} ("plain" or "memory"). */
    static InjectionResult base(List<InjectionResult> results, String base) {
        return results.stream().filter(r -> r.isBase() && r.base().equals(base)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no measurement of the " + base + " base"));
    }

    static String markdown(List<InjectionResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| method | base | budget | seeds | trainable params | stored | new facts: seen / held-out wording"
                + " | base facts recalled | forgetting | known facts kept | base-data loss | train tokens/s | generate tokens/s |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Group g : groups(results)) {
            InjectionResult reference = base(results, g.base());
            InjectionResult r = g.first();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s |%n",
                    g.method(), g.base(), r.isBase() ? "-" : g.budget() + "x (" + r.steps() + " steps, " + Tables.human(r.tokens())
                            + " tokens)", r.isBase() ? "-" : String.valueOf(g.seeds().size()), Tables.human(r.trainable()),
                    r.storedBytes() == 0 ? "-" : Tables.bytes(r.storedBytes()), pct(g, InjectionResult::newSeen),
                    pct(g, InjectionResult::newHeldout), pct(g, InjectionResult::baseRecall),
                    r.isBase() ? "-" : points(g, x -> x.baseRecall() - reference.baseRecall()),
                    pct(g, InjectionResult::knownKept), number(g, InjectionResult::baseLoss, "%.4f"),
                    r.isBase() ? "-" : number(g, x -> x.trainTokensPerSecond(), "%,.0f"),
                    number(g, InjectionResult::generationTokensPerSecond, "%,.0f")));
        }
        return b.toString();
    }

    private static String pct(Group g, ToDoubleFunction<InjectionResult> measure) {
        return spread(g, measure, 100, "%.1f", "%");
    }

    private static String points(Group g, ToDoubleFunction<InjectionResult> measure) {
        return spread(g, measure, 100, "%+.1f", " pt");
    }

    private static String number(Group g, ToDoubleFunction<InjectionResult> measure, String format) {
        return spread(g, measure, 1, format, "");
    }

    private static String spread(Group g, ToDoubleFunction<InjectionResult> measure, double scale, String format, String unit) {
        String mean = String.format(Locale.ROOT, format, scale * g.mean(measure)) + unit;
        if (g.seeds().size() < 2) {
            return mean;
        }
        return mean + " ± " + String.format(Locale.ROOT, format.replace("+", ""), scale * g.std(measure));
    }
}
