package membank.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine a run used, for reports. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + ", Java " + Runtime.version().feature();
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
