package membank.eval;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import membank.util.PngFile;

/** PNG charts of router decisions: a positions x chapters heatmap per layer, and chapter usage over a corpus. */
public final class RoutingPlot {
    private RoutingPlot() {
    }

    /**
     * Heatmap of one layer's choices: x = position, y = absolute routed chapter, cell = router
     * weight of the chapter where it was chosen, 0 elsewhere. Written atomically.
     */
    public static void heatmap(RoutingReport.LayerChoices choices, int positions, Path png, String title) {
        PngFile.headless();
        int width = Math.max(640, Math.min(2400, 220 + 16 * positions));
        int height = Math.max(360, Math.min(1600, 200 + 16 * choices.routed()));
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("position").yAxisTitle("chapter").build();
        chart.getStyler().setMin(0).setMax(1).setShowValue(false).setDrawBorder(false)
                .setRangeColors(new Color[] {Color.WHITE, new Color(0x9ecae1), new Color(0x08306b)});
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(positions > 24 ? 90 : 0);
        chart.getStyler().setXAxisMaxLabelCount(64);
        List<Integer> x = new ArrayList<>();
        for (int t = 0; t < positions; t++) {
            x.add(t);
        }
        List<Integer> y = new ArrayList<>();
        for (int j = 0; j < choices.routed(); j++) {
            y.add(j + choices.shared());
        }
        double[][] grid = choices.weightGrid(positions);
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < positions; t++) {
            for (int j = 0; j < choices.routed(); j++) {
                cells.add(new Number[] {t, j, grid[t][j]});
            }
        }
        chart.addSeries("router weight", x, y, cells);
        PngFile.write(chart, png);
    }

    /**
     * Bars of the share of chapter selections per routed chapter, one series per layer (series
     * name to fractions, chapter {@code shared + j} at index j), with the uniform share as a line.
     */
    public static void usage(java.util.Map<String, double[]> series, int shared, Path png, String title) {
        PngFile.headless();
        int routed = series.values().iterator().next().length;
        int width = Math.max(800, Math.min(2400, 240 + 14 * routed * Math.max(1, series.size())));
        CategoryChart chart = new CategoryChartBuilder().width(width).height(520).title(title)
                .xAxisTitle("chapter").yAxisTitle("share of chapter selections").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(routed > 32 ? 90 : 0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setOverlapped(false);
        List<Integer> chapters = new ArrayList<>();
        for (int j = 0; j < routed; j++) {
            chapters.add(j + shared);
        }
        series.forEach((name, f) -> chart.addSeries(name, chapters, box(f)));
        List<Double> uniform = new ArrayList<>();
        for (int j = 0; j < routed; j++) {
            uniform.add(1.0 / routed);
        }
        chart.addSeries("uniform (1/" + routed + ")", chapters, uniform)
                .setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line)
                .setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        PngFile.write(chart, png);
    }

    private static List<Double> box(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }

}
