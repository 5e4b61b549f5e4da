package membank.context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.bytedeco.pytorch.Tensor;

import me.tongfei.progressbar.ProgressBar;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.Probe;
import membank.data.Split;
import membank.data.TokenRows;
import membank.memory.ContextRead;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.nn.Ops;
import membank.util.Progress;
import membank.nn.Scope;

/**
 * Cross-session recall (docs/results-context.md): in session 1 the biographies of people the model
 * never saw are read into a fresh context bank, one exchange each; in session 2, after enough
 * filler that session 1 has left the attention window, each fact is asked. A fact counts as
 * recalled when greedy decoding gives exactly its value (teacher-forced argmax, as in eval).
 * Conditions: nothing to read (the window holds filler and the question), the context bank, the
 * bank after consolidation has halved it, and the raw session-1 biography placed right before
 * the question (the upper bound), cut to the attention window like any text, and whole.
 */
public final class CrossSessionRecall {
    /** Neutral sentences that push session 1 out of the attention window. */
    private static final List<String> FILLER = List.of(
            "The afternoon was quiet and the streets were mostly empty.",
            "Someone asked about the train schedule for the weekend.",
            "The weather report promised light rain in the evening.",
            "A delivery van stopped outside and left again a minute later.",
            "The meeting was moved to the small room on the second floor.",
            "Coffee ran out before noon, as it often does on Mondays.");

    /**
     * @param people how many new people session 1 introduces
     * @param seed the knowledge seed of those people (distinct from any training draw)
     * @param window the attention window in tokens: session 2 sees only its last {@code window} tokens
     * @param probe clusters retrieval searches per query
     */
    public record Options(int people, long seed, int window, int probe) {
        public Options {
            if (people < 1 || window < 8 || probe < 1) {
                throw new IllegalArgumentException("cross-session recall needs people >= 1, window >= 8 tokens and probe >= 1");
            }
        }
    }

    /**
     * @param answerLoss mean negative log-likelihood (nats) of the answers' tokens: it shows what the
     *        model knows of a value even when its greedy answer is not exactly right
     */
    public record Row(String condition, int correct, int total, double answerLoss) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }
    }

    /** One question: recalled exactly, and the summed NLL of its answer's tokens. */
    private record Answer(boolean recalled, double nll, int tokens) {
    }

    /**
     * @param vectors bank rows after session 1; {@code halvedVectors} after consolidation
     * @param rememberedTokens session-1 tokens read into the bank
     * @param storedBytes bytes of the bank's vectors and statistics (float32 rows, four numbers each)
     * @param retrievalMillis median time of one search of the index (query encoding excluded)
     */
    public record Report(List<Row> rows, int vectors, int halvedVectors, long rememberedTokens, long storedBytes,
                         double retrievalMillis, int readLimit, double chance) {
        public double bytesPerToken() {
            return rememberedTokens == 0 ? 0 : (double) storedBytes / rememberedTokens;
        }
    }

    private final ContextReader reader;
    private final Options options;

    public CrossSessionRecall(ContextReader reader, Options options) {
        this.reader = reader;
        this.options = options;
    }

    public Report run(boolean progress, Consumer<String> log) {
        KnowledgeSet people = KnowledgeSet.generate(new KnowledgeSpec(options.people(), options.seed()));
        List<String> biographies = people.trainDocuments(0);
        List<Probe> probes = people.probes(Split.SEEN);
        int perPerson = probes.size() / options.people();
        String filler = filler(options.window());

        ContextBank bank = new ContextBank((int) reader.model().config().hiddenSize());
        long tokens = 0;
        for (int i = 0; i < biographies.size(); i++) {
            tokens += reader.remember(bank, biographies.get(i), i);
        }
        int vectors = bank.size();
        long bytes = storedBytes(bank);
        log.accept("session 1: " + biographies.size() + " biographies, " + tokens + " tokens -> " + vectors + " context vectors");

        List<Row> rows = new ArrayList<>();
        double[] latencies = new double[probes.size()];
        int halved;
        try (ContextIndex index = ContextIndex.build(bank);
             ProgressBar bar = Progress.bar("cross-session recall", 5L * probes.size(), progress)) {
            int window = options.window();
            rows.add(score("no context bank", probes, p -> filler + p.prompt(), p -> null, window, bar, bank));
            // reading records use (references, attention, recency), which consolidation weighs below
            rows.add(score("context bank", probes, p -> filler + p.prompt(), timed(index, latencies), window, bar, bank));
            // the upper bound: the biography itself before the question, cut to the attention window
            // as any text is, and whole (all the model's positions, which may exceed what it trained on)
            Function<Probe, String> raw = p -> biographies.get(probes.indexOf(p) / perPerson) + " " + p.prompt();
            rows.add(score("raw session-1 text in context, cut to the window (upper bound)", probes, raw, p -> null,
                    window, bar, bank));
            rows.add(score("raw session-1 text in context, whole", probes, raw, p -> null,
                    reader.model().config().maxPositionEmbeddings(), bar, bank));
            Consolidation.consolidate(index, ConsolidationConfig.of(Math.max(1, vectors / 2)));
            halved = bank.size();
            rows.add(score("context bank consolidated to half", probes, p -> filler + p.prompt(),
                    p -> reader.retrieve(index, p.prompt(), options.probe()), window, bar, bank));
        }
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Report(rows, vectors, halved, tokens, bytes, sorted[sorted.length / 2],
                reader.readLimit(), people.chanceAccuracy());
    }

    /** Retrieval for a probe, the time of its search recorded by probe number. */
    private Function<Probe, ContextReader.Retrieved> timed(ContextIndex index, double[] latencies) {
        int[] next = {0};
        return p -> {
            Tensor query = reader.query(p.prompt());
            long began = System.nanoTime();
            Hits hits = index.search(query, reader.readLimit(), options.probe());
            latencies[next[0]++] = (System.nanoTime() - began) / 1e6;
            return reader.read(index.bank(), hits);
        };
    }

    /** Filler sentences of at least {@code window} tokens. */
    private String filler(int window) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; reader.tokenizer().encode(text.toString()).length < window; i++) {
            text.append(FILLER.get(i % FILLER.size())).append(' ');
        }
        return text.toString();
    }

    private Row score(String condition, List<Probe> probes, Function<Probe, String> prompt,
                      Function<Probe, ContextReader.Retrieved> context, int window, ProgressBar bar, ContextBank bank) {
        int correct = 0;
        double nll = 0;
        long tokens = 0;
        MemoryLM model = reader.model();
        model.train(false);
        for (int i = 0; i < probes.size(); i++) {
            Probe p = probes.get(i);
            try (Scope scope = Scope.inference()) {
                ContextReader.Retrieved read = context.apply(p);
                Answer a = answer(model, prompt.apply(p), p.answer(), read == null ? null : read.read(), window);
                correct += a.recalled() ? 1 : 0;
                nll += a.nll();
                tokens += a.tokens();
                if (read != null) {
                    read.recordUse(bank, options.people() + i);
                }
            }
            bar.step();
        }
        return new Row(condition, correct, probes.size(), tokens == 0 ? 0 : nll / tokens);
    }

    /**
     * Reads the start token and the prompt's last tokens that fit the window with the answer; the
     * answer is recalled when every one of its tokens is the argmax (teacher forcing).
     */
    private Answer answer(MemoryLM model, String prompt, String answer, ContextRead context, int window) {
        int[] promptIds = reader.tokenizer().encode(prompt);
        int[] answerIds = reader.tokenizer().encode(answer);
        int keep = Math.min(promptIds.length, window - answerIds.length - 1);
        long[] prefix = TokenRows.startThen(reader.tokenizer().eosId().orElse(0), promptIds, promptIds.length - keep,
                promptIds.length);
        long[] row = Arrays.copyOf(prefix, keep + answerIds.length + 1);
        for (int i = 0; i < answerIds.length; i++) {
            row[keep + 1 + i] = answerIds[i];
        }
        Tensor logits = model.forward(Ops.longs(new long[][] {row}), ForwardPass.PLAIN.withContext(context));
        long[] predicted = Ops.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(-1), false));
        float[] logProbs = Ops.floats(logits.log_softmax(-1).select(0, 0));
        long vocab = logits.size(-1);
        boolean recalled = answerIds.length > 0;
        double nll = 0;
        for (int j = 0; j < answerIds.length; j++) {
            recalled &= predicted[keep + j] == answerIds[j];
            nll -= logProbs[(int) ((keep + j) * vocab + answerIds[j])];
        }
        return new Answer(recalled, nll, answerIds.length);
    }

    /** Float32 rows plus mass, references, attention (float32) and last use (int64) per row. */
    static long storedBytes(ContextBank bank) {
        return (long) bank.size() * (4L * bank.dim() + 3 * 4 + 8);
    }
}
