package membank.cli;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.model.Checkpoint;
import membank.model.MemoryLM;
import membank.model.TestConfigs;
import membank.testing.ChildJvm;
import membank.testing.FileDamage;
import membank.testing.LockHolder;
import membank.util.DirectoryLock;

/** What protects a run: the directory lock, the memory check before allocation, and inspect --verify. */
class RunSafetyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondWriterOfARunDirectoryIsRefusedWithTheHoldersPid() throws Exception {
        Path run = tmp.resolve("run");
        try (ChildJvm holder = ChildJvm.start(LockHolder.class, Map.of(), run.toString())) {
            holder.await("locked", Duration.ofSeconds(30));
            CliRun fresh = CliRun.of("train", "--preset", "tiny", "--steps", "2", "--out", run.toString());
            assertEquals(1, fresh.exit(), fresh.err());
            assertTrue(fresh.err().contains(run + " is in use by membank process " + holder.pid() + " (started "), fresh.err());
            assertTrue(fresh.err().contains("wait for it to finish or choose another --out"), fresh.err());

            CliRun resumed = CliRun.of("train", "--resume", run.toString());
            assertEquals(1, resumed.exit(), resumed.err());
            assertTrue(resumed.err().contains("in use by membank process " + holder.pid()), resumed.err());
            assertTrue(resumed.err().contains("before resuming"), resumed.err());
        }
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(List.of(run.resolve(DirectoryLock.FILE)), files.toList(), "nothing but the lock file was written");
        }
    }

    @Test
    void anImpossibleBankIsRefusedWithTheNumbersBeforeAnythingIsAllocated() {
        Path out = tmp.resolve("big");
        long began = System.nanoTime();
        CliRun r = CliRun.of("train", "--preset", "small", "--set", "membank.num_tokens=400000000", "--out", out.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue((System.nanoTime() - began) / 1e9 < 10, "the check must come before the 400 GB bank is built");
        for (String part : List.of("this run needs about ", " GiB available (", "parameters 102.40G x 4 B = ", "gradients ",
                "AdamW moments (2 x float32) ", "activations about ", "(batch 16 x seq_len 128)", "membank.num_tokens=400000000",
                "Nothing was allocated; --skip-memory-check starts it anyway")) {
            assertTrue(r.err().contains(part), "missing '" + part + "' in: " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out), "no run directory for a refused run");
    }

    @Test
    void theMemoryCheckOverrideIsInTheHelpOfTrainAndAdapt() {
        for (String command : List.of("train", "adapt")) {
            CliRun r = CliRun.of(command, "--help");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("--skip-memory-check"), command + ": " + r.out());
        }
        assertTrue(CliRun.of("--help").out().contains("--verbose"));
    }

    @Test
    void inspectVerifyChecksEveryFileAndNamesTheDamagedTensor() {
        manual_seed(3);
        MemoryLM model = new MemoryLM(TestConfigs.withMemory("A", List.of(1), "shared", 2));
        Path run = tmp.resolve("run");
        Path checkpoint = run.resolve("checkpoints").resolve("step-0000001");
        Checkpoint.save(model, run);
        Checkpoint.save(model, checkpoint);

        CliRun clean = CliRun.of("inspect", "--verify", run.toString());
        assertEquals(0, clean.exit(), clean.out() + clean.err());
        assertEquals(2, clean.out().lines().filter(l -> l.startsWith("ok ") && l.contains("CRC32C of every tensor verified")).count(),
                clean.out());
        assertTrue(clean.out().contains("0 of 2 file(s)"), clean.out());

        FileDamage.flipByteOf(checkpoint.resolve(Checkpoint.WEIGHTS), "model.memory.banks.0.weight");
        CliRun damaged = CliRun.of("inspect", "--verify", run.toString());
        assertEquals(1, damaged.exit(), damaged.out());
        assertTrue(damaged.out().contains("FAILED  " + Path.of("checkpoints", "step-0000001", "model.safetensors") + ": "), damaged.out());
        assertTrue(damaged.out().contains("tensor model.memory.banks.0.weight fails its CRC32C checksum"), damaged.out());
        assertTrue(damaged.out().contains("ok      model.safetensors"), damaged.out());
        assertTrue(damaged.out().contains("1 of 2 file(s)"), damaged.out());
    }
}
