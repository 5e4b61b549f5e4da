package membank.data;

/**
 * A fact-recall question for a language model: does it continue {@code prompt} with
 * {@code answer}?
 *
 * @param prompt a sentence prefix that ends right before the value, e.g. "Ada Lovelace was born in the city of"
 * @param answer the value with its leading space, e.g. " Lisbon"
 * @param attribute the attribute's key, e.g. "birth_city"
 */
public record Probe(String prompt, String answer, String attribute) {
}
