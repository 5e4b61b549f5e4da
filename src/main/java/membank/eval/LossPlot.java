package membank.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.util.PngFile;

/** Loss curves (training and validation) of one or more runs, from their metrics.jsonl, as a PNG. */
public final class LossPlot {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LossPlot() {
    }

    /** {@code runs} maps a label to a metrics.jsonl file; writes {@code png} atomically. */
    public static void write(Map<String, Path> runs, Path png, String title) {
        PngFile.headless();
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("step")
                .yAxisTitle("loss (nats/token)").build();
        chart.getStyler().setMarkerSize(4);
        runs.forEach((label, metrics) -> addRun(chart, label, metrics));
        PngFile.write(chart, png);
    }

    private static void addRun(XYChart chart, String label, Path metrics) {
        List<Double> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> valSteps = new ArrayList<>();
        List<Double> valLosses = new ArrayList<>();
        for (JsonNode record : read(metrics)) {
            double step = record.path("step").asDouble();
            if (record.has("loss") && record.get("loss").isNumber() && !record.has("skipped")) {
                steps.add(step);
                losses.add(record.get("loss").asDouble());
            }
            if (record.has("val_loss")) {
                valSteps.add(step);
                valLosses.add(record.get("val_loss").asDouble());
            }
        }
        if (!steps.isEmpty()) {
            chart.addSeries(label + " train", steps, losses).setMarker(SeriesMarkers.NONE);
        }
        if (!valSteps.isEmpty()) {
            chart.addSeries(label + " validation", valSteps, valLosses)
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    private static List<JsonNode> read(Path metrics) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(metrics)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics, e);
        }
    }
}
