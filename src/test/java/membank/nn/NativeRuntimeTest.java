package membank.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class NativeRuntimeTest {
    @Test
    void threadsDefaultToTheCoresOfTheProcessUnlessOmpNumThreadsIsSet() {
        int before = torch.get_num_threads();
        try {
            torch.set_num_threads(1);
            NativeRuntime.apply(Map.of("OMP_NUM_THREADS", "1", "GLIBC_TUNABLES", "x", "THP_MEM_ALLOC_ENABLE", "0"));
            assertEquals(1, torch.get_num_threads(), "an explicit OMP_NUM_THREADS is left to libtorch");
            NativeRuntime.apply(Map.of("GLIBC_TUNABLES", "x", "THP_MEM_ALLOC_ENABLE", "0"));
            assertEquals(Runtime.getRuntime().availableProcessors(), torch.get_num_threads());
        } finally {
            torch.set_num_threads(before);
        }
    }

    @Test
    void describesWhatItApplied() {
        String line = NativeRuntime.describe();
        assertTrue(line.startsWith("malloc: ") && line.endsWith(torch.get_num_threads() + " threads"), line);
    }
}
