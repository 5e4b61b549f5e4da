package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import membank.dist.Rendezvous;

/** The rank flags and torchrun's variables: flags win, missing pieces are named. */
class DistributedOptionsTest {
    private static DistributedOptions flags(Integer rank, Integer world, String master) {
        DistributedOptions o = new DistributedOptions();
        o.rank = rank;
        o.worldSize = world;
        o.master = master;
        o.timeoutSeconds = 30;
        return o;
    }

    @Test
    void noFlagsAndNoVariablesTrainAlone() {
        assertTrue(flags(null, null, null).rendezvous(Map.of()).isEmpty());
        assertTrue(flags(null, null, null).rendezvous(Map.of("WORLD_SIZE", "1")).isEmpty());
    }

    @Test
    void torchrunsVariablesAreRead() {
        Rendezvous r = flags(null, null, null).rendezvous(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1",
                "MASTER_PORT", "29500", "LOCAL_RANK", "1")).orElseThrow();
        assertEquals(new Rendezvous("127.0.0.1", 29500, 1, 2, java.time.Duration.ofSeconds(30)), r);
    }

    @Test
    void flagsWinOverVariables() {
        Rendezvous r = flags(0, 4, "10.1.2.3:1234").rendezvous(Map.of("RANK", "1", "WORLD_SIZE", "2",
                "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "29500")).orElseThrow();
        assertEquals("10.1.2.3", r.host());
        assertEquals(1234, r.port());
        assertEquals(0, r.rank());
        assertEquals(4, r.worldSize());
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> flags(null, 2, "127.0.0.1:1").rendezvous(Map.of()), "no rank: give --rank");
        assertMessage(() -> flags(2, 2, "127.0.0.1:1").rendezvous(Map.of()), "rank 2 is outside 0..1");
        assertMessage(() -> flags(0, 2, null).rendezvous(Map.of()), "needs the master's address");
        assertMessage(() -> flags(0, 2, "nohostport").rendezvous(Map.of()), "expected HOST:PORT");
        assertMessage(() -> flags(null, null, null).rendezvous(Map.of("WORLD_SIZE", "two")), "WORLD_SIZE=two is not a whole number");
        DistributedOptions both = flags(0, null, null);
        both.nproc = 2;
        assertMessage(both::launches, "cannot be given with --rank");
    }

    @Test
    void helpExplainsTheFlags() {
        CliRun r = CliRun.of("train", "--help");
        for (String flag : new String[] {"--nproc", "--rank", "--world-size", "--master", "--dist-timeout"}) {
            assertTrue(r.out().contains(flag), flag + " in\n" + r.out());
        }
    }

    @Test
    void cudaWithoutTheGpuBuildIsRefusedBeforeAnythingIsWritten(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        java.nio.file.Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--preset", "tiny", "--steps", "1", "--device", "cuda", "--out", out.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("--device cuda") && r.err().contains("mvn -Pgpu package"), r.err());
        assertTrue(!java.nio.file.Files.exists(out), "nothing written");
        CliRun help = CliRun.of("adapt", "--help");
        assertTrue(help.out().contains("--device") && help.out().contains("--nproc"), help.out());
    }

    private static void assertMessage(Runnable action, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
