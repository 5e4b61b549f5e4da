package membank.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.bytedeco.pytorch.global.torch;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The process-wide native settings membank trains fastest with, applied once, the first time any
 * model code runs, so that a program embedding membank gets them without exporting variables
 * before Java starts (docs/benchmarks.md has the measurements behind each one):
 *
 * <ul>
 *   <li>libtorch's intra-op threads = the cores available to this process. OpenMP's own default
 *       was 1 on some machines of this project, which ran every op on one core. An explicit
 *       {@code OMP_NUM_THREADS} or {@code --threads} still wins.</li>
 *   <li>glibc's malloc keeps freed memory instead of handing every block above its mmap threshold
 *       (at most 32 MiB) back to the kernel: a training step's large temporaries were page-faulted
 *       in afresh each step, a third of a step's time on these virtual machines. An explicit
 *       {@code GLIBC_TUNABLES} wins, and nothing is set when jemalloc was preloaded (the launcher
 *       preloads it when installed: glibc's kept heap fragments under varying tensor sizes).</li>
 *   <li>OpenBLAS (libtorch's fp32 BLAS here) runs one thread per call: libtorch already calls it
 *       from its own parallel loops (fp32 SDPA, batched matmuls), and OpenBLAS threads inside them
 *       made those 5-150x slower. An explicit {@code OPENBLAS_NUM_THREADS} wins.</li>
 *   <li>libtorch puts tensors of 2 MiB and more on transparent huge pages, so what must still be
 *       faulted in (a new block, one above 64 MiB that glibc maps apart) costs one fault per 2 MiB.</li>
 * </ul>
 */
public final class NativeRuntime {
    /** glibc's mallopt parameters (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_MAX = -4;
    /** A thread's arena grows in heaps of 64 MiB; a pad this large keeps an emptied heap mapped. */
    private static final int TOP_PAD = 64 << 20;
    /** libtorch aligns allocations of 2 MiB and more to huge pages and advises the kernel to use them. */
    private static final String HUGE_PAGES = "THP_MEM_ALLOC_ENABLE";

    /**
     * What the launcher exports when the variable is unset (keep the membank script and the pom's
     * Surefire block in step): the same as the mallopt calls, plus one arena for every thread, which
     * only works before the first thread allocates and so cannot be set from inside the JVM.
     */
    public static final String LAUNCHER_TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647:glibc.malloc.top_pad=67108864";

    private NativeRuntime() {
    }

    /** Applies the settings if this process has not yet; cheap after the first call. */
    public static void ensureConfigured() {
        Applied.touch();
    }

    /** Sets libtorch's intra-op threads, overriding the default this class chose. */
    public static void setThreads(int threads) {
        ensureConfigured();
        torch.set_num_threads(threads);
    }

    /** What was applied, one line for logs and benchmark headers. */
    public static String describe() {
        ensureConfigured();
        return Applied.SUMMARY + ", " + torch.get_num_threads() + " threads";
    }

    /** Holder: the JVM runs its initialiser exactly once, on first use. */
    private static final class Applied {
        static final String SUMMARY = apply(System.getenv());

        static void touch() {
            // initialising the class is the work
        }
    }

    static String apply(Map<String, String> env) {
        if (env.get("OMP_NUM_THREADS") == null) {
            torch.set_num_threads(Runtime.getRuntime().availableProcessors());
        }
        if (env.get(HUGE_PAGES) == null) {
            torch.set_env(HUGE_PAGES, "1");
        }
        String blas = env.get("OPENBLAS_NUM_THREADS") == null ? oneBlasThread() : "OPENBLAS_NUM_THREADS as set";
        return "malloc: " + malloc(env) + ", OpenBLAS: " + blas;
    }

    private static String malloc(Map<String, String> env) {
        if (!mapped("libjemalloc").isEmpty()) {
            // preloaded (the launcher does when jemalloc is installed): glibc's malloc is not in use
            String conf = env.get("MALLOC_CONF");
            return "jemalloc" + (conf == null ? "" : " (MALLOC_CONF=" + conf + ")");
        }
        return env.get("GLIBC_TUNABLES") == null ? keepFreedMemory() : "GLIBC_TUNABLES as set";
    }

    /** Files of this process's memory map whose path contains {@code part}. */
    private static List<String> mapped(String part) {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.contains(part) && f.startsWith("/")).distinct().toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Serves every allocation from the heap and never trims it below 2 GiB: what a step frees, the
     * next step reuses without a page fault. Only glibc has mallopt; elsewhere nothing changes.
     */
    private static String keepFreedMemory() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "system default";
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            boolean ok = c.mallopt(M_MMAP_MAX, 0) == 1 & c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1
                    & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            return ok ? "heap kept (mallopt)" : "system default (mallopt refused)";
        } catch (LinkageError e) {
            return "system default (no mallopt: " + e.getMessage() + ")";
        }
    }

    /**
     * Tells every OpenBLAS this process has mapped (libtorch's own copy among them) to use one
     * thread. They are found in /proc/self/maps, since libtorch loads its copy from JavaCPP's cache.
     */
    private static String oneBlasThread() {
        List<String> libraries = mapped("libopenblas");
        try {
            for (String library : libraries) {
                Native.load(library, OpenBlas.class).openblas_set_num_threads(1);
            }
            return libraries.isEmpty() ? "not loaded" : "1 thread";
        } catch (LinkageError e) {
            return "default threads (" + e.getMessage() + ")";
        }
    }

    /** The C functions membank calls outside libtorch. */
    interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    interface OpenBlas extends Library {
        void openblas_set_num_threads(int threads);
    }
}
