package membank.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import membank.config.Presets;
import membank.model.MemoryLM;
import membank.testing.ChildJvm;

/**
 * A program that embeds membank gets its speed settings without exporting anything: a JVM started
 * with none of the launcher's variables builds a model and reports what was applied.
 */
class LibraryDefaultsTest {
    /**
     * The child: starts from one libtorch thread (OpenMP's default on some machines), builds a tiny
     * model (the first model code a library user runs) and reports.
     */
    public static void main(String[] args) {
        torch.set_num_threads(1);
        new MemoryLM(Presets.model("tiny"));
        System.out.println(ChildJvm.MARK + "threads " + torch.get_num_threads());
        System.out.println(ChildJvm.MARK + "applied " + NativeRuntime.describe());
        System.out.println(ChildJvm.MARK + "cores " + Runtime.getRuntime().availableProcessors());
    }

    @Test
    void aJvmWithoutTheLaunchersVariablesGetsTheSameSettings() throws InterruptedException {
        Map<String, String> bare = new HashMap<>();
        for (String name : new String[] {"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "GLIBC_TUNABLES",
                "THP_MEM_ALLOC_ENABLE", "MEMBANK_LAUNCHER_SET"}) {
            bare.put(name, null);
        }
        try (ChildJvm child = ChildJvm.start(LibraryDefaultsTest.class, bare)) {
            String threads = child.await("threads ", Duration.ofSeconds(60));
            String applied = child.await("applied ", Duration.ofSeconds(10));
            String cores = child.await("cores ", Duration.ofSeconds(10));
            assertEquals(cores.substring("cores ".length()), threads.substring("threads ".length()),
                    "libtorch's threads are the cores available to the process");
            assertTrue(applied.contains("heap kept (mallopt)"), applied);
            assertTrue(applied.contains("OpenBLAS: 1 thread"), applied);
        }
    }
}
