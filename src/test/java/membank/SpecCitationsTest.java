package membank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The spec in docs/spec is what the sources and docs cite: every "spec section N" (or "§N") names
 * a section of docs/spec/memory-math.md, and every spec file named exists there.
 */
class SpecCitationsTest {
    private static final Path SPEC = Path.of("docs/spec");
    private static final Pattern CITATION = Pattern.compile(
            "spec[^\\n.]{0,60}?(?:sections?|§) ?(\\d+(?:(?:, | and |-)\\d+)*)");
    private static final Pattern FILE = Pattern.compile("spec/([a-z-]+\\.md)");
    private static final Pattern SECTION = Pattern.compile("(?m)^## (\\d+)\\. ");

    @Test
    void everyCitedSectionAndFileExists() throws IOException {
        Set<Integer> sections = new TreeSet<>();
        Matcher s = SECTION.matcher(Files.readString(SPEC.resolve("memory-math.md")));
        while (s.find()) {
            sections.add(Integer.parseInt(s.group(1)));
        }
        assertTrue(sections.containsAll(Set.of(1, 2, 3, 4, 5, 6, 7)), "sections of memory-math.md: " + sections);
        List<String> wrong = new ArrayList<>();
        int citations = 0;
        for (Path file : citing()) {
            String text = Files.readString(file);
            Matcher c = CITATION.matcher(text);
            while (c.find()) {
                citations++;
                for (String n : c.group(1).split(", | and |-")) {
                    if (!sections.contains(Integer.parseInt(n))) {
                        wrong.add(file + ": \"" + c.group() + "\": memory-math.md has no section " + n);
                    }
                }
            }
            Matcher f = FILE.matcher(text);
            while (f.find()) {
                if (!Files.isRegularFile(SPEC.resolve(f.group(1)))) {
                    wrong.add(file + ": names spec/" + f.group(1) + ", which is not in " + SPEC);
                }
            }
        }
        assertTrue(citations > 30, "found only " + citations + " citations");
        assertEquals(List.of(), wrong);
    }

    private static List<Path> citing() throws IOException {
        List<Path> out = new ArrayList<>(List.of(Path.of("README.md")));
        for (String root : List.of("src/main/java", "src/test/java", "docs")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".md"))
                        .filter(p -> !p.startsWith(SPEC)).sorted().forEach(out::add);
            }
        }
        return out;
    }
}
