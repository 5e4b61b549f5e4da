package membank.context;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;

import membank.data.StreamDecoder;
import membank.data.TokenRows;
import membank.model.GenerationOptions;
import membank.model.Generator;

/**
 * A conversation with one user's context bank: each turn reads what retrieval finds in the bank
 * for the user's line, the recent conversation stays in the attention window, and after the answer
 * the exchange is compressed into the bank, which is consolidated when it passes its capacity and
 * saved, so the next conversation (another process, days later) can read it.
 */
public final class ChatSession implements AutoCloseable {
    /**
     * @param maxTokens most tokens per answer
     * @param window tokens of this conversation kept in the attention window
     * @param probe clusters retrieval searches per turn
     * @param consolidation capacity of the bank and the importance weights of merging
     */
    public record Options(int maxTokens, double temperature, double topP, long seed, int window, int probe,
                          ConsolidationConfig consolidation) {
        public Options {
            if (maxTokens < 1 || window < 8 || probe < 1) {
                throw new IllegalArgumentException("chat needs --max-tokens >= 1, --window >= 8 and --probe >= 1");
            }
        }
    }

    /** What {@code /stats} prints. */
    public record Stats(int vectors, double remembered, int turns, int clusters, long bytes, int lastRead) {
        public String describe() {
            return String.format(Locale.ROOT, "%,d context vectors (standing for %,.0f), %,d bytes, %d clusters;"
                    + " %d turns this session; the last turn read %d vectors", vectors, remembered, bytes, clusters, turns, lastRead);
        }
    }

    private final ContextReader reader;
    private final ContextStore store;
    private final String user;
    private final Options options;
    private final ContextBank bank;
    private final ContextIndex index;
    private final Generator generator;
    private final StringBuilder conversation = new StringBuilder();
    private long step;
    private int turns;
    private int lastRead;

    public ChatSession(ContextReader reader, ContextStore store, String user, Options options) {
        this.reader = reader;
        this.store = store;
        this.user = user;
        this.options = options;
        this.bank = store.loadOrCreate(user, (int) reader.model().config().hiddenSize());
        this.index = ContextIndex.build(bank);
        this.generator = new Generator(reader.model(), Math.min(reader.tokenizer().vocabSize(),
                reader.model().config().vocabSize()));
        for (int i = 0; i < bank.size(); i++) {
            step = Math.max(step, bank.lastUsed(i) + 1);
        }
    }

    public ContextBank bank() {
        return bank;
    }

    /**
     * Answers {@code line}, passing text to {@code onText} as it is generated; then remembers the
     * exchange and saves the bank. Returns the whole answer.
     */
    public String reply(String line, Consumer<String> onText) {
        ContextReader.Retrieved read = reader.retrieve(index, line, options.probe());
        lastRead = read.rows().length;
        String prompt = conversation + line + "\n";
        long[] ids = windowed(prompt);
        var tokenizer = reader.tokenizer();
        OptionalLong stop = tokenizer.eosId().isPresent() ? OptionalLong.of(tokenizer.eosId().getAsInt()) : OptionalLong.empty();
        int budget = Math.min(options.maxTokens(), reader.model().config().maxPositionEmbeddings() - ids.length);
        StreamDecoder decoder = tokenizer.streamDecoder();
        StringBuilder answer = new StringBuilder();
        generator.generate(ids, new GenerationOptions(Math.max(1, budget), options.temperature(),
                options.topP(), options.seed() + turns, stop), id -> {
                    String text = decoder.push((int) id);
                    answer.append(text);
                    onText.accept(text);
                }, read.read());
        String tail = decoder.finish();
        answer.append(tail);
        onText.accept(tail);
        read.recordUse(bank, step);
        remember(line + "\n" + answer + "\n");
        turns++;
        return answer.toString();
    }

    private void remember(String exchange) {
        conversation.append(exchange);
        reader.remember(bank, exchange, step++);
        if (bank.size() > options.consolidation().capacity()) {
            Consolidation.consolidate(index, options.consolidation());
        }
        store.save(user, bank);
    }

    /** The start token, then the last tokens of {@code text} that fit the window. */
    private long[] windowed(String text) {
        int[] all = reader.tokenizer().encode(text);
        int keep = Math.min(all.length, options.window() - 1);
        return TokenRows.startThen(reader.tokenizer().eosId().orElse(0), all, all.length - keep, all.length);
    }

    /** Empties the user's bank (stored too) and this conversation. */
    public void forget() {
        bank.clear();
        conversation.setLength(0);
        store.delete(user);
    }

    public Stats stats() {
        return new Stats(bank.size(), bank.totalMass(), turns, index.clusterCount(), CrossSessionRecall.storedBytes(bank), lastRead);
    }

    @Override
    public void close() {
        index.close();
    }
}
