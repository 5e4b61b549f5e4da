package membank.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How a c10d failure reads once this rank tells it: one line, without Gloo's source path or native frames. */
class RankGroupTest {
    @Test
    void theHeadlineDropsTheSourcePathAndTheNativeFrames() {
        RuntimeException gloo = new RuntimeException("[/home/runner/work/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:538]"
                + " Read error [127.0.0.1]:8083: Connection reset by peer\nException raised from wait at x.cpp:1\nframe #0: f");
        assertEquals("Read error [127.0.0.1]:8083: Connection reset by peer", RankGroup.headline(gloo));
        assertEquals("Timed out after 4 seconds waiting for clients. 1/2 clients joined.",
                RankGroup.headline(new RuntimeException("Timed out after 4 seconds waiting for clients. 1/2 clients joined.")));
    }
}
