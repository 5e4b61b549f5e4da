package membank.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import membank.bench.MemoryBenchmark.Row;
import membank.util.PngFile;

/**
 * The {@code bench memory} chart as one PNG: training step time, forward time and training peak
 * RSS against bank size (log-log), one line per mode; extrapolated dense points are drawn as a
 * separate series.
 */
public final class MemoryBenchmarkChart {
    private static final int PANEL_WIDTH = 620;
    private static final int PANEL_HEIGHT = 480;
    /** One colour per entry of {@link MemoryBenchmark#MODES}, the same in every panel. */
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    private MemoryBenchmarkChart() {
    }

    /** Writes {@code png} atomically (a temporary file renamed into place). */
    public static void write(List<Row> rows, Path png, String title) {
        PngFile.headless();
        List<XYChart> panels = List.of(
                panel(rows, "training step (fwd+bwd+AdamW), " + title, "ms per step", Row::trainMs, Row::trainExtrapolated,
                        "extrapolated", true),
                panel(rows, "forward (no grad, projecting K/V)", "ms", Row::forwardMs, Row::forwardExtrapolated,
                        "extrapolated", true),
                panel(rows, "peak RSS of the training phase", "GB", r -> r.trainPeakBytes() > 0 ? r.trainPeakBytes() / 1e9
                        : Double.NaN, Row::trainExtrapolated, "measured", false));
        BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), i * PANEL_WIDTH, 0, null);
        }
        g.dispose();
        PngFile.write(image, png);
    }

    private interface Flag {
        boolean test(Row r);
    }

    private static XYChart panel(List<Row> rows, String title, String yTitle, ToDoubleFunction<Row> value,
                                 Flag extrapolated, String partial, boolean logY) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("bank tokens").yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisDecimalPattern("#,###.#");
        for (String mode : MemoryBenchmark.MODES) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            List<Double> xe = new ArrayList<>();
            List<Double> ye = new ArrayList<>();
            for (Row r : rows) {
                double v = value.applyAsDouble(r);
                if (!r.mode().equals(mode) || !(v > 0)) {
                    continue;
                }
                (extrapolated.test(r) ? xe : xs).add((double) r.bankTokens());
                (extrapolated.test(r) ? ye : ys).add(v);
            }
            if (!xs.isEmpty()) {
                XYSeries series = chart.addSeries(mode, xs, ys);
                series.setMarker(SeriesMarkers.CIRCLE);
                series.setLineColor(COLORS[MemoryBenchmark.MODES.indexOf(mode)]);
                series.setMarkerColor(COLORS[MemoryBenchmark.MODES.indexOf(mode)]);
            }
            if (!xe.isEmpty()) {
                XYSeries series = chart.addSeries(mode + " (fewer positions, " + partial + ")", xe, ye);
                series.setMarker(SeriesMarkers.DIAMOND);
                series.setMarkerColor(COLORS[MemoryBenchmark.MODES.indexOf(mode)]);
                series.setLineColor(COLORS[MemoryBenchmark.MODES.indexOf(mode)]);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", new double[] {1}, new double[] {1}).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
