package membank.train;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.AccessUnit;

/**
 * The units sparse memory finetuning trains: the best {@code topT} by TF-IDF of those the new data
 * read (fewer when it read fewer), with the counts they were chosen from.
 *
 * @param rowsPerUnit 1 for rows, the rows of a chapter for chapters
 */
public record SparseSelection(AccessUnit unit, int topT, long rowsPerUnit, List<UnitScore> chosen, AccessCounts fresh,
                       AccessCounts background) {

    static SparseSelection choose(AccessUnit unit, int topT, long rowsPerUnit, AccessCounts fresh, AccessCounts background) {
        List<UnitScore> ranked = TfIdf.ranked(fresh, background);
        return new SparseSelection(unit, topT, rowsPerUnit, List.copyOf(ranked.subList(0, Math.min(topT, ranked.size()))),
                fresh, background);
    }

    /** The rows of bank {@code bank} that train, ascending (empty when none of its units was chosen). */
    long[] rows(int bank) {
        return chosen.stream().filter(s -> s.bank() == bank)
                .flatMapToLong(s -> LongStream.range(s.unit() * rowsPerUnit, (s.unit() + 1) * rowsPerUnit))
                .sorted().toArray();
    }

    /** One line for the log: what trains, and how the choice went. */
    public String describe() {
        String units = unit == AccessUnit.ROWS ? "rows" : "chapters";
        String best = chosen.isEmpty() ? "" : String.format(java.util.Locale.ROOT, "; best: bank %d %s %d (tf %.4f, idf %.3f)",
                chosen.get(0).bank(), units.substring(0, units.length() - 1), chosen.get(0).unit(), chosen.get(0).tf(), chosen.get(0).idf());
        String fewer = chosen.size() < topT ? " (the new data read only " + chosen.size() + " " + units + ")" : "";
        return String.format(java.util.Locale.ROOT, "training %d of %d %s%s, %,d bank rows, chosen by TF-IDF of %,d new-data"
                + " accesses in %,d sequences against %,d background sequences%s", chosen.size(), topT, units, fewer,
                trainedRows(), fresh.totalAccesses(), fresh.sequences(), background.sequences(), best);
    }

    public long trainedRows() {
        return chosen.size() * rowsPerUnit;
    }

    /**
     * What {@code sparse_memory.json} holds: the settings and formula, both samples' sizes, the
     * chosen units with their scores, best first, and every unit's counts per bank.
     */
    ObjectNode toJson(String freshData, String backgroundData, int accessTopK) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("unit", unit.label());
        root.put("top_t", topT);
        root.put("rows_per_unit", rowsPerUnit);
        root.put("access_top_k", accessTopK);
        root.put("score", "tf * idf; tf = accesses / total new-data accesses; idf = ln((D + 1) / (df + 1)),"
                + " D = background sequences, df = background sequences reading the unit");
        sample(root.putObject("new_data"), freshData, fresh);
        sample(root.putObject("background"), backgroundData, background);
        ArrayNode picked = root.putArray("chosen");
        chosen.forEach(s -> picked.addObject().put("bank", s.bank()).put("unit", s.unit()).put("accesses", s.accesses())
                .put("background_sequences", s.backgroundSequences()).put("tf", s.tf()).put("idf", s.idf()).put("score", s.score()));
        ArrayNode banks = root.putArray("counts");
        for (int b = 0; b < fresh.banks(); b++) {
            ObjectNode bank = banks.addObject().put("bank", b);
            Arrays.stream(fresh.accesses(b)).forEach(bank.putArray("new_accesses")::add);
            Arrays.stream(background.sequencesReading(b)).forEach(bank.putArray("background_sequences")::add);
        }
        return root;
    }

    private static void sample(ObjectNode node, String description, AccessCounts counts) {
        node.put("data", description).put("sequences", counts.sequences()).put("accesses", counts.totalAccesses());
    }
}
