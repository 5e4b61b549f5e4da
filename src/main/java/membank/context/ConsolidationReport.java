package membank.context;

/**
 * What one consolidation did.
 *
 * @param mode "exact" (best pair of the whole bank, one merge at a time) or "approximate" (best
 *        partners within clusters, disjoint pairs merged in rounds)
 * @param rounds merge rounds (equal to merges in exact mode)
 */
public record ConsolidationReport(String mode, int rowsBefore, int rowsAfter, int merges, int rounds, long millis) {
}
