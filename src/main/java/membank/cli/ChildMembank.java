package membank.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a membank CLI in a fresh JVM, for benchmark rows that need their own peak RSS. */
final class ChildMembank {
    private ChildMembank() {
    }

    /** This JVM's java and class path running {@code membank ARGS} with a 2 GB heap. */
    static List<String> command(List<String> args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx2g",
                // JavaCPP refuses native allocations beyond 4 x -Xmx unless told otherwise
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Dorg.bytedeco.javacpp.maxBytes=0",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return command;
    }
}
