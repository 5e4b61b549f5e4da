package membank.model;

import org.bytedeco.pytorch.Tensor;

import membank.memory.RoutingTrace;

/**
 * One training forward: {@code total} (what is back-propagated) is the LM loss plus the weighted
 * router losses; {@code trace} holds the router decisions for statistics.
 */
public record TrainingLoss(Tensor total, Tensor lm, RoutingTrace trace) {
}
