package membank.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.bytedeco.pytorch.Tensor;

import membank.config.ChapterConfig;
import membank.data.StreamDecoder;
import membank.data.Tokenizer;
import membank.memory.Routing;
import membank.config.RoutingMode;
import membank.memory.RoutingTrace;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.model.Scoring;
import membank.nn.Ops;
import membank.nn.Scope;

/**
 * What the routers of a chaptered model choose (spec section 2): per memory layer, the chapters
 * and weights at each position of one text, and how often each chapter is chosen over a corpus.
 * Chapter numbers shown to people are absolute: routed index + {@code shared}; shared chapters
 * are always read and never appear among the choices.
 */
public final class RoutingReport {
    private RoutingReport() {
    }

    /**
     * One memory layer's decisions for one sequence: {@code chapters[p]} are the k absolute chapter
     * numbers chosen at decision p (one decision for sequence routing, one per position otherwise)
     * and {@code weights[p]} their renormalised router weights.
     */
    public record LayerChoices(int layer, int shared, int routed, boolean perSequence, int[][] chapters,
                               float[][] weights) {
        public int topK() {
            return chapters.length == 0 ? 0 : chapters[0].length;
        }

        /**
         * Router weight per position and routed chapter, {@code [positions][routed]}, 0 where the
         * chapter was not chosen; a per-sequence decision is repeated at every position.
         */
        public double[][] weightGrid(int positions) {
            double[][] grid = new double[positions][routed];
            for (int t = 0; t < positions; t++) {
                int p = perSequence ? 0 : t;
                for (int j = 0; j < chapters[p].length; j++) {
                    grid[t][chapters[p][j] - shared] += weights[p][j];
                }
            }
            return grid;
        }

        /** {@code 12:0.41 3:0.33 ...}: the k chapters of decision p, as the router ranks them. */
        public String choiceText(int p) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < chapters[p].length; j++) {
                b.append(j == 0 ? "" : " ").append(chapters[p][j]).append(':')
                        .append(String.format(Locale.ROOT, "%.2f", weights[p][j]));
            }
            return b.toString();
        }
    }

    /** Runs {@code ids} (one sequence, no padding) through the model and returns each memory layer's choices. */
    public static List<LayerChoices> choices(MemoryLM model, long[] ids) {
        ChapterConfig c = chapters(model);
        checkIds(model, ids);
        boolean perSequence = model.routing() == RoutingMode.SEQUENCE;
        List<LayerChoices> out = new ArrayList<>();
        try (Scope scope = Scope.inference()) {
            RoutingTrace trace = new RoutingTrace();
            model.hidden(Ops.longs(new long[][] {ids}), ForwardPass.PLAIN.withTrace(trace));
            for (RoutingTrace.LayerRouting l : trace.layers()) {
                Routing r = l.routing();
                int decisions = (int) r.chapters().size(1);
                int k = (int) r.chapters().size(2);
                long[] chosen = Ops.toLongs(r.chapters());
                float[] w = Ops.floats(r.weights());
                int[][] chapters = new int[decisions][k];
                float[][] weights = new float[decisions][k];
                for (int p = 0; p < decisions; p++) {
                    for (int j = 0; j < k; j++) {
                        chapters[p][j] = (int) chosen[p * k + j] + c.shared();
                        weights[p][j] = w[p * k + j];
                    }
                }
                out.add(new LayerChoices(l.layer(), c.shared(), c.count() - c.shared(), perSequence, chapters, weights));
            }
        }
        return out;
    }

    private static void checkIds(MemoryLM model, long[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("no tokens to route: the text is empty");
        }
        int context = model.config().maxPositionEmbeddings();
        if (ids.length > context) {
            throw new IllegalArgumentException(ids.length + " tokens exceed the model's context of " + context
                    + " positions (max_position_embeddings); shorten the text");
        }
        Scoring.checkIds(model, ids);
    }

    private static ChapterConfig chapters(MemoryLM model) {
        if (!model.isRouted()) {
            throw new IllegalArgumentException("the model has no chaptered memory (membank.chapters is not set)");
        }
        return model.config().membank().chapters();
    }

    /**
     * The text each position adds, escaped and quoted ({@code 'a'}, {@code '\n'}); a token that
     * ends inside a UTF-8 character shows {@code (…)}, and the character appears at the token
     * that completes it. Ids the tokenizer does not know (padded embeddings) show {@code -}.
     */
    public static String[] tokenTexts(Tokenizer tokenizer, long[] ids) {
        StreamDecoder decoder = tokenizer.streamDecoder();
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
                out[i] = "-";
                decoder = tokenizer.streamDecoder();
                continue;
            }
            String piece = decoder.push((int) ids[i]);
            out[i] = piece.isEmpty() ? "(…)" : "'" + escape(piece) + "'";
        }
        return out;
    }

    /** Backslash escapes for quotes, backslashes and control or invisible characters. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    int type = Character.getType(cp);
                    if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.UNASSIGNED
                            || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                        b.append(String.format(Locale.ROOT, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.toString();
    }

    /** One line naming the chapter layout, e.g. {@code 8 chapters: 0 shared (always read), 1-7 routed, top 2}. */
    public static String layout(ChapterConfig c) {
        String shared = c.shared() == 0 ? "none shared"
                : (c.shared() == 1 ? "0" : "0-" + (c.shared() - 1)) + " shared (always read)";
        String routed = c.count() - c.shared() == 1 ? Integer.toString(c.shared()) : c.shared() + "-" + (c.count() - 1);
        return String.format(Locale.ROOT, "%d chapters: %s, %s routed, top %d, %s mixing", c.count(), shared, routed,
                c.topK(), c.mixing());
    }

    /**
     * The choices as text: for sequence routing one line per layer, otherwise per layer a table
     * of position, token id, token text and {@code chapter:weight} pairs.
     */
    public static String formatChoices(List<LayerChoices> layers, long[] ids, String[] tokens) {
        StringBuilder b = new StringBuilder();
        int width = 5;
        for (String t : tokens) {
            width = Math.max(width, t.length());
        }
        width = Math.min(width, 16);
        for (LayerChoices l : layers) {
            if (l.perSequence()) {
                b.append(String.format(Locale.ROOT, "layer %d (one decision for all %d positions): %s%n", l.layer(),
                        ids.length, l.choiceText(0)));
                continue;
            }
            b.append(String.format(Locale.ROOT, "layer %d (chapter:weight, absolute chapter numbers)%n", l.layer()));
            b.append(String.format(Locale.ROOT, "  %5s %6s  %-" + width + "s  %s%n", "pos", "id", "token", "chapters"));
            for (int p = 0; p < l.chapters().length; p++) {
                b.append(String.format(Locale.ROOT, "  %5d %6d  %-" + width + "s  %s%n", p, ids[p], tokens[p],
                        l.choiceText(p)));
            }
        }
        return b.toString();
    }

    /**
     * Routes one sequence, prints each layer's choices to {@code out} and writes
     * {@code routing-layer-N.png} per memory layer into {@code dir}; returns the PNGs.
     *
     * @param tokens the escaped text of each token, or null to show none
     */
    public static List<Path> reportText(MemoryLM model, long[] ids, String[] tokens, Path dir, PrintWriter out) {
        List<LayerChoices> layers = choices(model, ids);
        String[] shown = tokens;
        if (shown == null) {
            shown = new String[ids.length];
            Arrays.fill(shown, "-");
        }
        out.print(formatChoices(layers, ids, shown));
        List<Path> written = new ArrayList<>();
        for (LayerChoices c : layers) {
            Path png = dir.resolve("routing-layer-" + c.layer() + ".png");
            RoutingPlot.heatmap(c, ids.length, png, String.format(Locale.ROOT,
                    "layer %d router weights (%s routing, top %d of chapters %d-%d)", c.layer(),
                    model.routing().label(), c.topK(), c.shared(), c.shared() + c.routed() - 1));
            out.println("wrote " + png);
            written.add(png);
        }
        out.flush();
        return written;
    }

    /**
     * Counts the routers' choices over at most {@code maxBatches} batches, prints the usage
     * summary to {@code out} and writes {@code chapter-usage.png} (one series per layer) into
     * {@code dir}; returns the PNG.
     */
    public static Path reportUsage(MemoryLM model, Iterator<long[][]> batches, int maxBatches, String dataName, Path dir,
            PrintWriter out) {
        Usage usage = usage(model, batches, maxBatches);
        out.print(usage.summary());
        Map<String, double[]> series = new LinkedHashMap<>();
        for (int layer : usage.layers()) {
            series.put("layer " + layer, usage.fractions(layer));
        }
        Path png = dir.resolve("chapter-usage.png");
        RoutingPlot.usage(series, usage.shared(), png, String.format(Locale.ROOT, "chapter usage, %s routing, %,d tokens of %s",
                usage.mode().label(), usage.tokens(), dataName));
        out.println("wrote " + png);
        out.flush();
        return png;
    }

    /**
     * Chapter usage over a corpus: per memory layer, how many routing decisions (sequences for
     * sequence routing, positions otherwise) chose each routed chapter, and the router entropy.
     */
    public static final class Usage {
        private final int shared;
        private final int routed;
        private final int topK;
        private final RoutingMode mode;
        private final Map<Integer, long[]> counts = new TreeMap<>();
        private final Map<Integer, Long> decisions = new TreeMap<>();
        private final Map<Integer, Double> entropySum = new TreeMap<>();
        private int batches;
        private long tokens;

        Usage(ChapterConfig c, RoutingMode mode) {
            this.shared = c.shared();
            this.routed = c.count() - c.shared();
            this.topK = c.topK();
            this.mode = mode;
        }

        void add(RoutingTrace trace, long batchTokens) {
            batches++;
            tokens += batchTokens;
            for (RoutingTrace.LayerRouting l : trace.layers()) {
                Routing r = l.routing();
                long[] c = counts.computeIfAbsent(l.layer(), x -> new long[routed]);
                for (long chosen : Ops.toLongs(r.chapters())) {
                    c[(int) chosen]++;
                }
                long n = r.chapters().size(0) * r.chapters().size(1);
                decisions.merge(l.layer(), n, Long::sum);
                entropySum.merge(l.layer(), r.entropy().sum().item_double(), Double::sum);
            }
        }

        public int shared() {
            return shared;
        }

        public int routed() {
            return routed;
        }

        public int batches() {
            return batches;
        }

        public long tokens() {
            return tokens;
        }

        public RoutingMode mode() {
            return mode;
        }

        public List<Integer> layers() {
            return List.copyOf(counts.keySet());
        }

        public long decisions(int layer) {
            return decisions.get(layer);
        }

        /** Share of the layer's chapter selections that went to each routed chapter; sums to 1 (spec's f_c). */
        public double[] fractions(int layer) {
            long[] c = counts.get(layer);
            double total = decisions.get(layer) * (double) topK;
            double[] f = new double[routed];
            for (int j = 0; j < routed; j++) {
                f[j] = c[j] / total;
            }
            return f;
        }

        /** The per-layer fractions averaged over layers. */
        public double[] meanFractions() {
            double[] mean = new double[routed];
            for (int layer : counts.keySet()) {
                double[] f = fractions(layer);
                for (int j = 0; j < routed; j++) {
                    mean[j] += f[j] / counts.size();
                }
            }
            return mean;
        }

        /** Mean entropy of the router's distribution over routed chapters, in nats. */
        public double routerEntropy(int layer) {
            return entropySum.get(layer) / decisions.get(layer);
        }

        /** Usage table: per layer the usage entropy, the most used chapter and the unused ones. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "chapter usage over %d batch(es), %,d tokens, %s routing"
                    + " (usage = share of chapter selections; uniform = %s, max usage entropy = %.2f bits):%n",
                    batches, tokens, mode.label(), pct(1.0 / routed), log2(routed)));
            b.append(String.format(Locale.ROOT, "  %-6s %10s  %-20s  %-18s  %-14s  %s%n", "layer", "decisions",
                    "usage entropy", "max usage", "router entropy", "unused chapters"));
            for (int layer : counts.keySet()) {
                line(b, Integer.toString(layer), decisions.get(layer), fractions(layer), routerEntropy(layer));
            }
            if (counts.size() > 1) {
                double meanEntropy = counts.keySet().stream().mapToDouble(this::routerEntropy).average().orElse(Double.NaN);
                line(b, "mean", decisions.values().iterator().next(), meanFractions(), meanEntropy);
            }
            return b.toString();
        }

        private void line(StringBuilder b, String name, long n, double[] f, double routerEntropy) {
            int best = 0;
            List<Integer> unused = new ArrayList<>();
            for (int j = 0; j < f.length; j++) {
                best = f[j] > f[best] ? j : best;
                if (f[j] == 0) {
                    unused.add(j + shared);
                }
            }
            double h = entropyBits(f);
            String unusedText = unused.isEmpty() ? "none" : unused.size() + " of " + routed + ": " + list(unused);
            b.append(String.format(Locale.ROOT, "  %-6s %,10d  %-20s  %-18s  %-14s  %s%n", name, n,
                    String.format(Locale.ROOT, "%.2f bits (%s)", h, routed > 1 ? pct(h / log2(routed)) : "n/a"),
                    String.format(Locale.ROOT, "chapter %d: %s", best + shared, pct(f[best])),
                    String.format(Locale.ROOT, "%.3f nats", routerEntropy), unusedText));
        }

        private static String list(List<Integer> chapters) {
            int shown = Math.min(chapters.size(), 20);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < shown; i++) {
                b.append(i == 0 ? "" : ",").append(chapters.get(i));
            }
            return chapters.size() > shown ? b + ",..." : b.toString();
        }
    }

    /**
     * Runs the model without gradient over at most {@code maxBatches} batches of rows
     * [batch][seqLen + 1] (the first seqLen tokens of each row are read) and counts the routers'
     * choices.
     */
    public static Usage usage(MemoryLM model, Iterator<long[][]> batches, int maxBatches) {
        Usage usage = new Usage(chapters(model), model.routing());
        try (Scope ignored = Scope.noGrad()) {
            while (batches.hasNext() && usage.batches() < maxBatches) {
                try (Scope scope = Scope.tensors()) {
                    Tensor batch = Ops.longs(batches.next());
                    long length = batch.size(1) - 1;
                    RoutingTrace trace = new RoutingTrace();
                    model.hidden(batch.narrow(1, 0, length), ForwardPass.PLAIN.withTrace(trace));
                    usage.add(trace, batch.size(0) * length);
                }
            }
        }
        if (usage.batches() == 0) {
            throw new IllegalArgumentException("the data is shorter than one batch of batch_size x (seq_len + 1) tokens:"
                    + " no routing decisions to count; give more text");
        }
        return usage;
    }

    /** Entropy in bits of a distribution (zeros contribute nothing). */
    public static double entropyBits(double[] p) {
        double h = 0;
        for (double v : p) {
            h -= v > 0 ? v * log2(v) : 0;
        }
        return h;
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
