package membank.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import membank.config.AccessUnit;

/** TF-IDF ranking of bank units against a case computed by hand. */
class TfIdfTest {
    /**
     * New data, 2 sequences over 4 units: [3, 2, 0, 0] and [1, 0, 0, 2], so accesses [4, 2, 0, 2] of 8.
     * Background, D = 3 sequences: [1, 0, 0, 0], [2, 0, 0, 0], [0, 0, 5, 1], so df = [2, 0, 1, 1].
     */
    private static AccessCounts[] handCase() {
        AccessCounts fresh = new AccessCounts(1, 4);
        fresh.addBatch(new long[][] {{3, 2, 0, 0, 1, 0, 0, 2}}, 2);
        AccessCounts background = new AccessCounts(1, 4);
        background.addBatch(new long[][] {{1, 0, 0, 0, 2, 0, 0, 0}}, 2);
        background.addBatch(new long[][] {{0, 0, 5, 1}}, 1);
        return new AccessCounts[] {fresh, background};
    }

    @Test
    void ranksByTfTimesSmoothedIdf() {
        AccessCounts[] c = handCase();
        List<UnitScore> ranked = TfIdf.ranked(c[0], c[1]);
        // tf = [1/2, 1/4, -, 1/4]; idf = ln(4/3), ln(4/1), -, ln(4/2)
        // score: unit 1 = 0.25 ln 4 = 0.34657, unit 3 = 0.25 ln 2 = 0.17329, unit 0 = 0.5 ln(4/3) = 0.14384
        assertEquals(List.of(1, 3, 0), ranked.stream().map(UnitScore::unit).toList(), "unit 2 was never read by the new data");
        assertEquals(0.25 * Math.log(4), ranked.get(0).score(), 1e-12);
        assertEquals(0.25 * Math.log(2), ranked.get(1).score(), 1e-12);
        assertEquals(0.5 * Math.log(4.0 / 3), ranked.get(2).score(), 1e-12);
        assertEquals(2, ranked.get(2).backgroundSequences());
        assertEquals(4, ranked.get(2).accesses());
    }

    @Test
    void chosenRowsAreTheTopTAndChaptersStandForTheirRows() {
        AccessCounts[] c = handCase();
        SparseSelection rows = SparseSelection.choose(AccessUnit.ROWS, 2, 1, c[0], c[1]);
        assertArrayEquals(new long[] {1, 3}, rows.rows(0));
        SparseSelection chapters = SparseSelection.choose(AccessUnit.CHAPTERS, 2, 4, c[0], c[1]);
        assertArrayEquals(new long[] {4, 5, 6, 7, 12, 13, 14, 15}, chapters.rows(0));
        assertEquals(8, chapters.trainedRows());
        SparseSelection more = SparseSelection.choose(AccessUnit.ROWS, 4, 1, c[0], c[1]);
        assertEquals(3, more.chosen().size(), "a unit the new data never read is never chosen");
    }

    @Test
    void unitsEveryBackgroundSequenceReadsFollowTheNewDataThenTheirIndex() {
        AccessCounts fresh = new AccessCounts(2, 3);
        fresh.addBatch(new long[][] {{1, 5, 5}, {5, 0, 2}}, 1);
        AccessCounts background = new AccessCounts(2, 3);
        background.addBatch(new long[][] {{1, 1, 1}, {1, 1, 1}}, 1);
        List<UnitScore> ranked = TfIdf.ranked(fresh, background);
        assertEquals(0, ranked.get(0).score());
        assertEquals(List.of("0:1", "0:2", "1:0", "1:2", "0:0"),
                ranked.stream().map(s -> s.bank() + ":" + s.unit()).toList());
    }
}
