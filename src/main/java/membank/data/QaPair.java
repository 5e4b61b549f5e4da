package membank.data;

/**
 * A question and its bare answer, for instruction tuning and chat-style evaluation.
 *
 * @param question e.g. "Where was Ada Lovelace born?"
 * @param answer e.g. "Lisbon" (no leading space, no full stop)
 * @param attribute the attribute's key
 */
public record QaPair(String question, String answer, String attribute) {
}
