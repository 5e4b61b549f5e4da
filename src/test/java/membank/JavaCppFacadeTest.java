package membank;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * model/ and memory/ read like the spec's equations: of JavaCPP they name only the tensor, the
 * module, the device and the dtype enum; everything else (scalars, options, pointers, scopes)
 * is behind membank.nn (Ops, Scope, TensorBytes...).
 */
class JavaCppFacadeTest {
    private static final Path SOURCES = Path.of("src/main/java/membank");
    private static final Set<String> ALLOWED = Set.of("org.bytedeco.pytorch.Tensor", "org.bytedeco.pytorch.Module",
            "org.bytedeco.pytorch.Device", "org.bytedeco.pytorch.global.torch.ScalarType");
    private static final Pattern NAMED = Pattern.compile("\\borg\\.bytedeco\\.[\\w.]*\\w");

    @Test
    void modelAndMemoryNameOnlyTensorModuleDeviceAndDtypes() throws IOException {
        List<String> found = new ArrayList<>();
        for (String pkg : List.of("model", "memory")) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        Matcher m = NAMED.matcher(lines.get(i));
                        while (m.find()) {
                            if (!ALLOWED.contains(m.group())) {
                                found.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + m.group());
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "give membank.nn a helper for these instead");
    }
}
