package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.train.InjectionResult;

/** The comparison's table and trade-off plot from hand-made results: means, spreads and forgetting against the base. */
class InjectionTableTest {
    @TempDir
    Path tmp;

    private static InjectionResult unit(String method, int budget, long seed, double newSeen, double baseRecall, double kept) {
        return new InjectionResult(method, "plain", budget, seed, 10 * budget, 1000L * budget, 100, 400, newSeen, 0,
                baseRecall, kept, 0.5, 1000.0, 50);
    }

    private static final List<InjectionResult> RESULTS = List.of(
            new InjectionResult(InjectionResult.BASE, "plain", 0, 0, 0, 0, 0, 0, 0.02, 0, 0.90, 1, 0.45, null, 60),
            unit("lora", 1, 0, 0.10, 0.80, 0.85), unit("lora", 1, 1, 0.30, 0.70, 0.75),
            unit("lora", 2, 0, 0.50, 0.60, 0.65));

    @Test
    void rowsAreMeansOverSeedsWithForgettingAgainstTheBase() {
        List<String> rows = InjectionTable.markdown(RESULTS).lines().skip(2).toList();
        assertEquals(3, rows.size(), String.join("\n", rows));
        assertTrue(rows.get(0).startsWith("| base | plain | - | - |"), rows.get(0));
        // lora at 1x: new recall 20% ± 14.1 (two seeds), base recall 75%, 15 points below the base's 90%
        assertTrue(rows.get(1).contains(" | 2 | "), "two seeds: " + rows.get(1));
        assertTrue(rows.get(1).contains("20.0% ± 14.1"), rows.get(1));
        assertTrue(rows.get(1).contains("-15.0 pt ± 7.1"), rows.get(1));
        assertTrue(rows.get(1).contains("80.0% ± 7.1"), "known facts kept: " + rows.get(1));
        assertTrue(rows.get(2).contains("50.0% / 0.0%") && rows.get(2).contains("-30.0 pt") && !rows.get(2).contains("±"),
                "one seed has no spread: " + rows.get(2));
    }

    @Test
    void theTradeoffPlotIsAPng() throws Exception {
        Path png = tmp.resolve("tradeoff.png");
        TradeoffChart.write(RESULTS, png);
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
    }
}
