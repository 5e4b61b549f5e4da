package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPeerCommandTest {
    @Test
    void anUnknownModelIsRefusedWithTheAllowedNames() {
        CliRun run = CliRun.of("bench", "peer", "--models", "backbone,huge");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("--models: 'huge': allowed: backbone, dense, routed"), run.err());
    }

    @Test
    void aPeerFolderWithoutTheScriptIsRefusedBeforeAnythingRuns(@TempDir Path dir) {
        CliRun run = CliRun.of("bench", "peer", "--peer", dir.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("no bench_moc.py there"), run.err());
        assertTrue(run.out().isEmpty(), "nothing was timed: " + run.out());
    }
}
