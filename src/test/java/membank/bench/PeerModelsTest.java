package membank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import membank.config.ParameterCount;

/** The models of `bench peer` are the peer's: the same parameter counts its own script prints. */
class PeerModelsTest {
    @Test
    void parameterCountsMatchWhatThePeerPrints() {
        // bench_moc.py prints "moc params 23.08M" (--bank 0) and "moc params 27.53M" (--bank 4096)
        assertEquals(23.08, ParameterCount.total(PeerModels.BACKBONE.config().model()) / 1e6, 0.005);
        // membank's memory layers hold up to 15K parameters the peer's do not (27.539M against
        // 27.53M, printed to two decimals): under 0.06 % of the model
        assertEquals(27.53, ParameterCount.total(PeerModels.DENSE.config().model()) / 1e6, 0.015);
    }

    @Test
    void routedModelReadsSixtyFourOfOneThousandTwentyFourChapters() {
        var chapters = PeerModels.ROUTED.config().model().membank().chapters();
        assertEquals(1024, chapters.count());
        assertEquals(64, chapters.topK());
        assertEquals(65536, PeerModels.ROUTED.config().model().membank().numTokens());
    }
}
