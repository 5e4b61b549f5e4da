package membank.train;

import java.nio.file.Path;
import java.util.Map;

import membank.eval.RecallResult;
import membank.model.ParameterRole;
import membank.nn.Precision;

/** The outcome of a training run, as the demo table and the CLI print it. */
public record RunSummary(Path dir, int steps, double trainLoss, double valLoss, RecallResult recall,
                         RecallResult heldoutRecall,
                         double chanceRecall, double tokensPerSecond, double seconds,
                         Map<ParameterRole, Long> parameters, Precision precision) {
}
