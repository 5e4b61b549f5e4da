package membank.experiment;

import java.util.List;
import java.util.Locale;

/** Mean, sample standard deviation (0 for one value), minimum and maximum of a metric over seeds; NaN values (not measured) are left out. */
public record Spread(int n, double mean, double std, double min, double max) {
    public static Spread of(List<Double> measured) {
        List<Double> values = measured.stream().filter(v -> !Double.isNaN(v)).toList();
        if (values.isEmpty()) {
            return new Spread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double std = values.size() > 1 ? Math.sqrt(squares / (values.size() - 1)) : 0;
        return new Spread(values.size(), mean, std,
                values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    /** "mean ± std" with {@code pattern} for each number ("-" without values; no ± for one value). */
    public String format(String pattern) {
        if (n == 0) {
            return "-";
        }
        String m = String.format(Locale.ROOT, pattern, mean);
        return n == 1 ? m : m + " ± " + String.format(Locale.ROOT, pattern, std);
    }
}
