package membank.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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

    /**
     * Bytes a new allocation can get without swapping: /proc/meminfo's MemAvailable, within the
     * process's cgroup limit when it has one; elsewhere the free physical memory the JVM reports.
     */
    public static long availableMemory() {
        long available = meminfo("MemAvailable:");
        if (available < 0) {
            available = system().getFreeMemorySize();
        }
        return Math.min(available, cgroupRoom());
    }

    /** Physical memory of the machine (or of the process's cgroup, when it is limited). */
    public static long totalMemory() {
        return system().getTotalMemorySize();
    }

    private static com.sun.management.OperatingSystemMXBean system() {
        return (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }

    /** A /proc/meminfo value in bytes, or -1 where there is none. */
    private static long meminfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(key.length()).trim().split("\\s+")[0]).mapToLong(kb -> Long.parseLong(kb) * 1024)
                    .findFirst().orElse(-1);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** What the cgroup v2 limit leaves (memory.max - memory.current), or no bound. */
    private static long cgroupRoom() {
        try {
            String max = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
            if (max.equals("max")) {
                return Long.MAX_VALUE;
            }
            long current = Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup/memory.current")).trim());
            return Math.max(0, Long.parseLong(max) - current);
        } catch (IOException | NumberFormatException e) {
            return Long.MAX_VALUE;
        }
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
