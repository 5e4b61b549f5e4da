package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** membank experiment: help and bad input through the command line (the runs themselves are tested in ExperimentRunnerTest). */
class ExperimentCommandTest {
    @TempDir
    Path tmp;

    @Test
    void helpListsTheSubcommands() {
        CliRun r = CliRun.of("experiment", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("run") && r.out().contains("report"), r.out());
    }

    @Test
    void aBadFileExitsWithTheKeyNamed() throws Exception {
        Path file = tmp.resolve("bad.json");
        Files.writeString(file, "{\"name\": \"bad\", \"base\": {\"preset\": \"tiny\"}, \"arms\": [{\"kind\": \"memory\"}],"
                + " \"phases\": {\"pretrain\": {\"steps\": 0, \"lr\": 1e-3}, \"instruct\": {\"steps\": 1, \"lr\": 1e-3, \"entities\": 4}},"
                + " \"seeds\": [0]}");
        CliRun r = CliRun.of("experiment", "run", file.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("'phases.pretrain.steps' has value 0"), r.err());
        CliRun missing = CliRun.of("experiment", "run", "nonesuch");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("quick, capacity, bank-size, forgetting, real-text"), missing.err());
    }

    @Test
    void reportRefusesADirectoryWithoutARun() {
        CliRun r = CliRun.of("experiment", "report", tmp.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("not an experiment run directory"), r.err());
    }
}
