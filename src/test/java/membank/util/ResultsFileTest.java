package membank.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one results-file format: JSON Lines, appended atomically, a damaged line named by number. */
class ResultsFileTest {
    record Point(String name, double value, Double optional) {
    }

    @TempDir
    Path tmp;

    private ResultsFile<Point> file() {
        return ResultsFile.in(tmp.resolve("run"), "a point", ResultsFile.bound(Point.class));
    }

    @Test
    void recordsComeBackInTheOrderTheyWereAdded() throws Exception {
        ResultsFile<Point> file = file();
        assertEquals(List.of(), file.read());
        file.append(new Point("a", 1.5, null));
        file.append(new Point("b", Double.NaN, 2.0));
        assertEquals(tmp.resolve("run").resolve(ResultsFile.NAME), file.file());
        List<Point> back = file.read();
        assertEquals(2, back.size());
        assertEquals(new Point("a", 1.5, null), back.get(0));
        assertTrue(Double.isNaN(back.get(1).value()));
        assertEquals("{\"name\":\"a\",\"value\":1.5,\"optional\":null}", Files.readAllLines(file.file()).get(0));
    }

    @Test
    void aDamagedLineIsNamedWithWhatToDo() throws Exception {
        ResultsFile<Point> file = file();
        file.append(new Point("a", 1, 1.0));
        Files.writeString(file.file(), Files.readString(file.file()) + "\n{\"name\": \"b\", \"val");
        var e = assertThrows(IllegalArgumentException.class, file::read);
        assertTrue(e.getMessage().startsWith(file.file() + " line 3 is not a point: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; delete that line and rerun to measure the unit again"), e.getMessage());
    }
}
