package membank.experiment;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

import membank.config.ModelConfig;
import membank.config.ParameterCount;

/**
 * Plain transformers with as many parameters as a memory model, its bank included: the closest
 * deeper and the closest wider (the shapes of {@link BaselineShapes}), the chosen one within
 * {@link IsoFlopBaseline#TOLERANCE}. It answers whether the bank's parameters store more than the
 * same parameters spent on a dense model would, whatever either costs per token.
 */
record IsoParamBaseline(double modelParameters, BaselineCandidate deeper, BaselineCandidate wider) {

    static IsoParamBaseline size(ModelConfig model) {
        if (!model.hasMemory()) {
            throw new IllegalArgumentException("iso-parameter sizing matches a memory model, but this configuration has no"
                    + " \"membank\" block: give a model with memory");
        }
        double target = ParameterCount.total(model);
        ToDoubleFunction<ModelConfig> parameters = ParameterCount::total;
        return new IsoParamBaseline(target,
                IsoFlopBaseline.closest(BaselineKind.DEEPER, model.numHiddenLayers(), n -> BaselineShapes.deeper(model, n),
                        parameters, target),
                IsoFlopBaseline.closest(BaselineKind.WIDER, model.numKeyValueHeads(), kv -> BaselineShapes.wider(model, kv),
                        parameters, target));
    }

    /** The {@code kind} candidate, or the other when only that one lands within the tolerance; refused when neither does. */
    BaselineCandidate choose(BaselineKind kind) {
        BaselineCandidate chosen = kind == BaselineKind.DEEPER ? deeper : wider;
        BaselineCandidate other = kind == BaselineKind.DEEPER ? wider : deeper;
        if (chosen.within(IsoFlopBaseline.TOLERANCE)) {
            return chosen;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "no %s plain transformer has within %.0f%% of the memory model's %,.0f parameters: the closest, %s, has ratio"
                        + " %s; %s", kind.label(), 100 * IsoFlopBaseline.TOLERANCE, modelParameters,
                IsoFlopBaseline.shape(chosen.config()), IsoFlopBaseline.ratio(chosen),
                other.within(IsoFlopBaseline.TOLERANCE) ? "the " + other.kind().label() + " one does (ratio "
                        + IsoFlopBaseline.ratio(other) + "): use \"baseline\": \"" + other.kind().label() + "\""
                        : "change membank.num_tokens so that a whole layer or head is a finer step"));
    }
}
