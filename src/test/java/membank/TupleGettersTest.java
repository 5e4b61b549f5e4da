package membank;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * JavaCPP's getters of a libtorch tuple ({@code topk(...).get1()}) return a reference into the
 * tuple, which dies with it: kept past the scope the tuple was made in, it is a use-after-free (it
 * crashed the router loss once layers freed their temporaries). Tuples are read in {@code nn.Ops}
 * alone, which hands out owning handles; DdpGradients copies its one tuple element at once.
 */
class TupleGettersTest {
    private static final Path SOURCES = Path.of("src/main/java/membank");
    private static final Pattern GETTER = Pattern.compile("\\.get[0-9]\\(\\)");
    private static final Set<String> ALLOWED = Set.of("nn/Ops.java", "dist/DdpGradients.java");

    @Test
    void tupleElementsAreReadInOpsAlone() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = SOURCES.relativize(file).toString().replace('\\', '/');
                if (ALLOWED.contains(name)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (GETTER.matcher(lines.get(i)).find()) {
                        found.add(name + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "tuple elements read outside nn.Ops (use Ops.topk / Ops.max, which own"
                + " their handles):\n" + String.join("\n", found));
    }
}
