package membank.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import membank.train.InjectionResult;
import membank.util.PngFile;

/**
 * Learning against forgetting, the trade-off plot of sparse memory finetuning's paper: per method
 * and base a line through its budgets, x the share of the base's known facts lost, y the recall of
 * the new facts (seen wording), means over seeds. Up and to the left is better.
 */
final class TradeoffChart {
    private TradeoffChart() {
    }

    static void write(List<InjectionResult> results, Path png) {
        PngFile.headless();
        XYChart chart = new XYChartBuilder().width(900).height(560).title("Learning new facts against forgetting known ones")
                .xAxisTitle("known facts of the base forgotten (%)").yAxisTitle("new facts recalled, seen wording (%)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (Map.Entry<String, List<InjectionTable.Group>> line : lines(results).entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (InjectionTable.Group g : line.getValue()) {
                x.add(100 * (1 - g.mean(InjectionResult::knownKept)));
                y.add(100 * g.mean(InjectionResult::newSeen));
            }
            chart.addSeries(line.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        PngFile.write(chart, png);
    }

    /** Per method and base, its groups in budget order. */
    private static Map<String, List<InjectionTable.Group>> lines(List<InjectionResult> results) {
        List<InjectionTable.Group> groups = InjectionTable.groups(results).stream().filter(g -> !g.first().isBase()).toList();
        Map<String, List<InjectionTable.Group>> lines = new LinkedHashMap<>();
        for (InjectionTable.Group g : groups) {
            lines.computeIfAbsent(g.method() + " (" + g.base() + " base)", k -> new ArrayList<>()).add(g);
        }
        return lines;
    }
}
