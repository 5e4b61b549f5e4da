package membank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that builds a model takes {@code --device}, and on this machine (CPU natives, no
 * GPU) refuses {@code cuda} before it reads anything: the model directories named here do not even
 * exist, and the refusal, not a missing directory, is what each command reports.
 */
class DeviceOptionTest {
    @TempDir
    Path tmp;

    private List<List<String>> commands() {
        String missing = tmp.resolve("no-model").toString();
        return List.of(
                List.of("train", "--preset", "tiny", "--out", tmp.resolve("t").toString()),
                List.of("adapt", "--base", missing, "--method", "memory", "--out", tmp.resolve("a").toString()),
                List.of("eval", "--model", missing),
                List.of("score", "--model", missing, "--text", "x"),
                List.of("generate", "--model", missing, "--prompt", "x"),
                List.of("chat", "--model", missing, "--user", "u"),
                List.of("context", "eval", "--model", missing),
                List.of("context", "train", "--model", missing, "--out", tmp.resolve("ct").toString()),
                List.of("inspect", "--model", missing, "--routing", "--text", "x"),
                List.of("compare-adapters", "--base", missing, "--out", tmp.resolve("c").toString()),
                List.of("experiment", "run", "quick", "--out", tmp.resolve("e").toString()),
                List.of("bench", "train", "--preset", "tiny"),
                List.of("bench", "generate", "--base", missing),
                List.of("demo", "--quick", "--out", tmp.resolve("d").toString()));
    }

    @Test
    void everyCommandThatBuildsAModelRefusesCudaWithoutTheGpuBuildBeforeReadingAnything() {
        for (List<String> command : commands()) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--device", "cuda"));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(1, r.exit(), command + ": " + r.err());
            assertTrue(r.err().contains("--device cuda: this build of membank has no CUDA") && r.err().contains("mvn -Pgpu package"),
                    command + ": " + r.err());
            assertTrue(!tmp.resolve("no-model").toFile().exists(), "nothing made");
        }
    }

    @Test
    void aBadDeviceNameIsNamed() {
        CliRun r = CliRun.of("eval", "--model", tmp.toString(), "--device", "gpu0");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--device gpu0: expected cpu, cuda or cuda:N"), r.err());
    }

    @Test
    void experimentRunHelpShowsTheDataParallelFlags() {
        CliRun help = CliRun.of("experiment", "run", "--help");
        for (String flag : new String[] {"--nproc", "--rank", "--world-size", "--master", "--dist-timeout", "--device"}) {
            assertTrue(help.out().contains(flag), flag + " in\n" + help.out());
        }
    }

    @Test
    void sparseMemoryRefusesDataParallelFlags() {
        CliRun r = CliRun.of("adapt", "--base", tmp.toString(), "--method", "sparse-memory", "--nproc", "2");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--method sparse-memory trains in one process"), r.err());
    }
}
