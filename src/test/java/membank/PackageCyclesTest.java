package membank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No two packages of membank depend on each other, directly or through others: the packages form
 * layers (util, nn, config, memory, model, data, context, train, ...), and a class that would close
 * a cycle belongs in a lower package. Read from the sources: every {@code membank.PKG.Class} named
 * in code (imports, static imports and qualified names; comments and strings do not count).
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/membank");
    private static final Pattern REFERENCE = Pattern.compile("\\bmembank\\.(\\w+)\\.([A-Z]\\w*)");

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        assertTrue(graph.size() > 5, "read the packages of " + SOURCES.toAbsolutePath() + ": " + graph.keySet());
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : new Components(graph).strong()) {
            if (component.size() > 1) {
                StringBuilder b = new StringBuilder("cycle among " + component + ":");
                for (String from : component) {
                    graph.getOrDefault(from, Map.of()).forEach((to, why) -> {
                        if (component.contains(to)) {
                            b.append("\n  ").append(from).append(" -> ").append(to).append(": ").append(why);
                        }
                    });
                }
                cycles.add(b.toString());
            }
        }
        assertEquals(List.of(), cycles, "move the class that closes each cycle into the package below");
    }

    @Test
    void theScanSeesQualifiedNamesAndSkipsComments() {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        add(graph, "a", "A", "import membank.b.B;\n// membank.c.C\n/* membank.d.D */ String s = \"membank.e.E \\\" membank.x.X\";"
                + " char q = '\"'; x = membank.f.F.of(); String t = \"\"\"\n membank.y.Y \"\"\"; import static membank.g.G.h;");
        assertEquals(Set.of("b", "f", "g"), graph.get("a").keySet());
    }

    /** package -> package it uses -> "Class->Used" pairs saying why. */
    private static Map<String, Map<String, Set<String>>> dependencies() throws IOException {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                String name = file.getFileName().toString().replace(".java", "");
                add(graph, pkg, name, Files.readString(file));
            }
        }
        return graph;
    }

    private static void add(Map<String, Map<String, Set<String>>> graph, String pkg, String name, String source) {
        Matcher m = REFERENCE.matcher(codeOnly(source));
        Map<String, Set<String>> uses = graph.computeIfAbsent(pkg, p -> new TreeMap<>());
        while (m.find()) {
            if (!m.group(1).equals(pkg)) {
                uses.computeIfAbsent(m.group(1), p -> new TreeSet<>()).add(name + "->" + m.group(2));
            }
        }
    }

    /** The source with comments, strings, text blocks and char literals blanked out. */
    static String codeOnly(String source) {
        StringBuilder code = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            int at = i;
            String open = Stream.of("//", "/*", "\"\"\"", "\"", "'").filter(o -> source.startsWith(o, at)).findFirst()
                    .orElse(null);
            if (open == null) {
                code.append(source.charAt(i++));
                continue;
            }
            String close = switch (open) {
                case "//" -> "\n";
                case "/*" -> "*/";
                default -> open;
            };
            boolean escapes = !open.startsWith("/");
            int j = i + open.length();
            while (j < source.length() && !source.startsWith(close, j)) {
                j += escapes && source.charAt(j) == '\\' ? 2 : 1;
            }
            i = Math.min(source.length(), j + close.length());
            code.append(' ');
        }
        return code.toString();
    }

    /** Tarjan's strongly connected components. */
    private static final class Components {
        private final Map<String, Map<String, Set<String>>> graph;
        private final Map<String, Integer> index = new TreeMap<>();
        private final Map<String, Integer> low = new TreeMap<>();
        private final List<String> stack = new ArrayList<>();
        private final List<Set<String>> found = new ArrayList<>();

        Components(Map<String, Map<String, Set<String>>> graph) {
            this.graph = graph;
        }

        List<Set<String>> strong() {
            for (String node : graph.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return found;
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.add(node);
            for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (stack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String top;
                do {
                    top = stack.remove(stack.size() - 1);
                    component.add(top);
                } while (!top.equals(node));
                found.add(component);
            }
        }
    }
}
