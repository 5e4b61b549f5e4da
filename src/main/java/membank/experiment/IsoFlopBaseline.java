package membank.experiment;

import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

import membank.config.ModelConfig;
import membank.model.FlopCounter;

/**
 * Plain transformers that cost what a memory model costs to train: the closest deeper and the
 * closest wider candidate by training FLOPs per token (forward + backward, everything trained,
 * at the same sequence length and batch), and the one to use, which must land within
 * {@link #TOLERANCE}. docs/flops.md describes the search.
 */
public record IsoFlopBaseline(ModelConfig model, long seqLen, long batch, double modelFlops,
                              BaselineCandidate deeper, BaselineCandidate wider) {
    public static final double TOLERANCE = 0.05;
    /** Far beyond any sensible baseline: stops the search on a memory model that costs absurdly more. */
    private static final int MAX_STEPS = 4096;

    /** Sizes both baselines of {@code model}, a model with memory. */
    public static IsoFlopBaseline size(ModelConfig model, long seqLen, long batch) {
        if (!model.hasMemory()) {
            throw new IllegalArgumentException("iso-FLOP sizing matches a memory model, but this configuration has no"
                    + " \"membank\" block: give a model with memory (e.g. --preset small)");
        }
        double target = FlopCounter.count(model, seqLen, batch).trainPerToken();
        ToDoubleFunction<ModelConfig> flops = c -> FlopCounter.count(c, seqLen, batch).trainPerToken();
        BaselineCandidate deeper = closest(BaselineKind.DEEPER, model.numHiddenLayers(),
                n -> BaselineShapes.deeper(model, n), flops, target);
        BaselineCandidate wider = closest(BaselineKind.WIDER, model.numKeyValueHeads(),
                kv -> BaselineShapes.wider(model, kv), flops, target);
        return new IsoFlopBaseline(model, seqLen, batch, target, deeper, wider);
    }

    public BaselineCandidate candidate(BaselineKind kind) {
        return kind == BaselineKind.DEEPER ? deeper : wider;
    }

    /** The {@code kind} candidate, refused when it misses the memory model's FLOPs by more than 5%. */
    public BaselineCandidate choose(BaselineKind kind) {
        BaselineCandidate chosen = candidate(kind);
        if (chosen.within(TOLERANCE)) {
            return chosen;
        }
        BaselineCandidate other = candidate(kind == BaselineKind.DEEPER ? BaselineKind.WIDER : BaselineKind.DEEPER);
        String advice = other.within(TOLERANCE)
                ? "the " + other.kind().label() + " one does (ratio " + ratio(other) + "): use --baseline " + other.kind().label()
                : "neither does the " + other.kind().label() + " one (ratio " + ratio(other) + "); change the memory model's"
                        + " size (e.g. membank.num_tokens) or the backbone so that a whole layer or head is a finer step";
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "no %s plain transformer trains within %.0f%% of the memory model's %,.0f FLOPs per token: the closest, %s,"
                        + " has ratio %s; %s", kind.label(), 100 * TOLERANCE, modelFlops, shape(chosen.config()), ratio(chosen),
                advice));
    }

    /**
     * Walks {@code shapes} from {@code first} up while the candidate measures less than the target
     * (training FLOPs per token, or parameters), keeping the one closest to it (the walk stops at
     * the first that measures as much or more).
     */
    static BaselineCandidate closest(BaselineKind kind, int first, IntFunction<ModelConfig> shapes,
                                     ToDoubleFunction<ModelConfig> measure, double target) {
        BaselineCandidate best = null;
        for (int i = first; i < first + MAX_STEPS; i++) {
            ModelConfig c = shapes.apply(i);
            double flops = measure.applyAsDouble(c);
            BaselineCandidate candidate = new BaselineCandidate(kind, c, flops, flops / target);
            if (best == null || candidate.deviation() < best.deviation()) {
                best = candidate;
            }
            if (flops >= target) {
                return best;
            }
        }
        throw new IllegalArgumentException("the memory model measures more than a plain model "
                + kind.label() + " by " + MAX_STEPS + " steps (" + shape(best.config()) + "): no matched baseline");
    }

    static String ratio(BaselineCandidate c) {
        return String.format(Locale.ROOT, "%.3f", c.ratio());
    }

    static String shape(ModelConfig c) {
        return String.format(Locale.ROOT, "%d layers of hidden %d, intermediate %d, %d heads (%d kv)", c.numHiddenLayers(),
                c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.numKeyValueHeads());
    }
}
