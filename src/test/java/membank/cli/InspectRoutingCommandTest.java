package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect --routing on a tiny chaptered model trained for two steps, and its refusal on models without routers. */
class InspectRoutingCommandTest {
    private static final String TEXT = "Ada\tLovelace";
    /** 8 chapters, chapter 0 shared, the router picks 2 of chapters 1-7. */
    private static final String CHAPTERS = "membank.chapters={\"count\":8,\"top_k\":2,\"shared\":1,\"routing\":\"prefix\"}";
    private static final Pattern CHOICE = Pattern.compile("(\\d+):(\\d\\.\\d\\d)");

    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainTinyChapteredModel() {
        run = tmp.resolve("moc");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--steps", "2", "--out", run.toString(), "--precision", "fp32",
                "--set", "training.data.entities=4", "--set", "training.eval_every=0", "--set", CHAPTERS);
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void listsLayersPositionsAndKChaptersAndWritesHeatmaps() {
        Path out = tmp.resolve("plots");
        CliRun r = CliRun.of("inspect", "--model", run.toString(), "--routing", "--text", TEXT, "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        String text = r.out();
        assertTrue(text.contains("8 chapters: 0 shared (always read), 1-7 routed, top 2"), text);
        assertTrue(text.contains("routing mode: prefix (as trained)"), text);
        assertTrue(text.contains("layer 1 (chapter:weight"), text);
        List<String> rows = text.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+.*")).toList();
        assertEquals(TEXT.length(), rows.size(), text);
        for (int p = 0; p < rows.size(); p++) {
            String row = rows.get(p);
            assertTrue(row.trim().startsWith(p + " " ) || row.trim().startsWith(p + "  "), row);
            assertChoices(row, 2);
        }
        assertTrue(rows.get(0).contains("'A'"), rows.get(0));
        assertTrue(rows.get(3).contains("'\\t'"), "tab is escaped: " + rows.get(3));
        assertPng(out.resolve("routing-layer-1.png"));
        assertTrue(text.contains("wrote " + out.resolve("routing-layer-1.png")), text);
    }

    @Test
    void sequenceRoutingPrintsOneDecisionPerSequenceAndUsageOverData() throws Exception {
        Path corpus = tmp.resolve("corpus");
        Files.createDirectories(corpus);
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            doc.append("Ada Lovelace was born in London in 1815; she wrote the first program. ");
        }
        Files.writeString(corpus.resolve("a.txt"), doc, StandardCharsets.UTF_8);
        CliRun r = CliRun.of("inspect", "--model", run.toString(), "--routing", "--text", TEXT, "--routing-mode", "sequence",
                "--data", corpus.toString(), "--max-batches", "2");
        assertEquals(0, r.exit(), r.err());
        String text = r.out();
        assertTrue(text.contains("routing mode: sequence (--routing-mode; trained with prefix)"), text);
        String line = text.lines().filter(l -> l.startsWith("layer 1 (one decision for all " + TEXT.length() + " positions):"))
                .findFirst().orElseThrow(() -> new AssertionError(text));
        assertChoices(line.substring(line.indexOf("):") + 2), 2);
        assertTrue(text.contains("chapter usage over 2 batch(es)"), text);
        String usage = text.lines().filter(l -> l.trim().startsWith("1 ") && l.contains("bits")).findFirst()
                .orElseThrow(() -> new AssertionError(text));
        // sequence routing: one decision per row, batch_size 8 rows per batch
        assertTrue(usage.contains(" 16 "), usage);
        assertTrue(usage.contains("chapter "), usage);
        Path dir = run.resolve("routing");
        assertPng(dir.resolve("routing-layer-1.png"));
        assertPng(dir.resolve("chapter-usage.png"));
        assertTrue(text.contains("wrote " + dir.resolve("chapter-usage.png")), text);
    }

    @Test
    void idsWorkWithoutATokenizer() throws Exception {
        Path golden = Path.of(getClass().getResource("/golden/chapters-token-independent").toURI());
        Path out = tmp.resolve("golden-plots");
        CliRun r = CliRun.of("inspect", "--model", golden.toString(), "--routing", "--ids", "5,6,7", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("routing mode: token (as trained)") && r.out().contains("layer 0 (") && r.out().contains("layer 1 ("), r.out());
        assertEquals(2 * 3, r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+-\\s+.*")).count(), r.out());
        assertTrue(Files.list(out).anyMatch(p -> p.getFileName().toString().startsWith("routing-layer-")), r.out());
    }

    @Test
    void refusesModelsWithoutChapters() throws Exception {
        Path dense = Path.of(getClass().getResource("/golden/memory-B-per-layer").toURI());
        CliRun r = CliRun.of("inspect", "--model", dense.toString(), "--routing", "--text", "hi");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains(dense.toString()) && r.err().contains("dense memory"), r.err());
        Path none = Path.of(getClass().getResource("/golden/qwen2-tiny").toURI());
        CliRun n = CliRun.of("inspect", "--model", none.toString(), "--routing", "--text", "hi");
        assertEquals(1, n.exit(), n.out());
        assertTrue(n.err().contains(none.toString()) && n.err().contains("no memory"), n.err());
    }

    @Test
    void routingOptionsNeedRouting() {
        CliRun r = CliRun.of("inspect", "--model", run.toString(), "--text", TEXT);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--routing"), r.err());
        CliRun mode = CliRun.of("inspect", "--model", run.toString(), "--routing", "--text", TEXT, "--routing-mode", "global");
        assertEquals(1, mode.exit());
        assertTrue(mode.err().contains("sequence, prefix, token"), mode.err());
    }

    private static void assertChoices(String text, int k) {
        Matcher m = CHOICE.matcher(text);
        int count = 0;
        double sum = 0;
        while (m.find()) {
            int chapter = Integer.parseInt(m.group(1));
            assertTrue(chapter >= 1 && chapter <= 7, "routed chapters are 1-7: " + text);
            sum += Double.parseDouble(m.group(2));
            count++;
        }
        assertEquals(k, count, text);
        assertEquals(1.0, sum, 0.011, text);
    }

    private static void assertPng(Path png) {
        assertTrue(Files.isRegularFile(png), png.toString());
        try {
            byte[] head = Files.readAllBytes(png);
            assertTrue(head.length > 100 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', png.toString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
