package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results.jsonl files committed under docs/results read back, round-trip, and still make their report. */
class ResultsCompatibilityTest {
    @Test
    void committedResultsReadAndRewriteUnchanged(@TempDir Path tmp) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(Path.of("docs/results"))) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("results.jsonl"))).sorted().toList();
        }
        assertFalse(dirs.isEmpty());
        for (Path dir : dirs) {
            List<UnitResult> results = UnitResult.results(dir).read();
            assertFalse(results.isEmpty(), dir.toString());
            Path copy = tmp.resolve(dir.getFileName());
            UnitResult.results(copy).write(results);
            assertEquals(results, UnitResult.results(copy).read(), dir.toString());
            for (String name : List.of("experiment.json", "run.json")) {
                Files.copy(dir.resolve(name), copy.resolve(name));
            }
            assertEquals(Files.readString(dir.resolve("report.md")), ExperimentReport.write(copy), dir.toString());
        }
    }
}
