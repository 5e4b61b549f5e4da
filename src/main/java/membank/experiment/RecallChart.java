package membank.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import membank.util.PngFile;

/** Recall of the pretrained facts per arm, after pretraining and after the instruct phase (means over seeds, std as error bars). */
final class RecallChart {
    private RecallChart() {
    }

    static void write(List<String> arms, List<Spread> before, List<Spread> after, Path png) {
        PngFile.headless();
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("Recall of pretrained facts, before and after the instruct phase").xAxisTitle("arm")
                .yAxisTitle("recall (%)").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries("after pretrain", arms, percent(before, false), percent(before, true));
        chart.addSeries("after instruct", arms, percent(after, false), percent(after, true));
        PngFile.write(chart, png);
    }

    private static List<Double> percent(List<Spread> spreads, boolean std) {
        List<Double> out = new ArrayList<>();
        for (Spread s : spreads) {
            double v = std ? s.std() : s.mean();
            out.add(Double.isNaN(v) ? 0.0 : 100 * v);
        }
        return out;
    }
}
