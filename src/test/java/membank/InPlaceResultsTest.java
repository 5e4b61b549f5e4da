package membank;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * JavaCPP maps libtorch's in-place ops ({@code add_}, {@code zero_}, {@code requires_grad_}...)
 * to a Java tensor that refers to the tensor they changed without owning it. Kept from a
 * temporary ({@code x.clone().zero_()}), it outlives its owner, which the garbage collector or a
 * PointerScope frees at any time: a use-after-free that crashed the JVM at random. No source keeps
 * (assigns, returns or stores) the result of an in-place op called on a call's result.
 */
class InPlaceResultsTest {
    private static final Path SOURCES = Path.of("src/main/java/membank");
    /** {@code = ...).op_(}, {@code return ...).op_(} or {@code put(..., ...).op_(} on one statement. */
    private static final Pattern KEPT = Pattern.compile("(=|\\breturn\\b|\\.put\\(|\\.add\\()[^;]*\\)\\.[a-z][a-z_]*[a-z]_\\(");

    @Test
    void noInPlaceResultOfATemporaryIsKept() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (!line.startsWith("//") && !line.startsWith("*") && KEPT.matcher(line).find()) {
                        found.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + line);
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "in-place results of temporaries kept (split the statement, or use the"
                + " out-of-place op):\n" + String.join("\n", found));
    }
}
