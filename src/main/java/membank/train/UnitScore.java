package membank.train;

/**
 * One bank unit (row or chapter) as sparse memory finetuning ranks it: how often the new data read
 * it, how many background sequences read it, and its TF-IDF.
 */
record UnitScore(int bank, int unit, long accesses, long backgroundSequences, double tf, double idf, double score) {
}
