package membank.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import membank.util.PngFile;

/**
 * One metric against the swept quantity, a line per arm (means over seeds, standard deviations as
 * error bars). Numeric labels are the x values, on a log axis when they span more than a factor of
 * ten (people, bank tokens); other labels are placed at 1, 2, 3, ...
 */
final class SweepChart {
    private SweepChart() {
    }

    static void write(String title, String xTitle, String yTitle, List<String> labels, Map<String, List<Spread>> byArm,
                      double scale, Path png) {
        PngFile.headless();
        List<Double> x = xValues(labels);
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        double min = x.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double max = x.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        chart.getStyler().setXAxisLogarithmic(min > 0 && max / min > 10);
        for (Map.Entry<String, List<Spread>> arm : byArm.entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                Spread s = arm.getValue().get(i);
                if (s.n() > 0) {
                    xs.add(x.get(i));
                    ys.add(s.mean() * scale);
                    errors.add(s.std() * scale);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(arm.getKey(), xs, ys, errors);
            }
        }
        PngFile.write(chart, png);
    }

    private static List<Double> xValues(List<String> labels) {
        List<Double> x = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            try {
                x.add(Double.parseDouble(labels.get(i)));
            } catch (NumberFormatException e) {
                List<Double> index = new ArrayList<>();
                for (int j = 0; j < labels.size(); j++) {
                    index.add(j + 1.0);
                }
                return index;
            }
        }
        return x;
    }
}
