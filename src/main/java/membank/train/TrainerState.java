package membank.train;

/**
 * What a checkpoint needs beyond weights and optimizer moments to continue exactly: the next
 * step, the data position and the non-finite streak. Stored as trainer_state.json.
 */
record TrainerState(int step, long dataPosition, int nonFiniteInARow, long tokensSeen, double seconds) {
}
