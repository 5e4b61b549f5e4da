package membank.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import membank.model.SafeTensors;

/** Saving and loading banks: bit-exact round trips, isolation of users, crash safety, refusal of damaged files. */
class FileContextStoreTest {
    private static final int D = 4;

    @TempDir
    Path root;

    private FileContextStore store() {
        return new FileContextStore(root);
    }

    @Test
    void roundTripIsBitExactForVectorsAndStatistics() {
        ContextBank bank = Banks.varied(3, 9, D);
        bank.add(Banks.tensor(new float[][] {{-0f, Float.MIN_VALUE, Float.MAX_VALUE, -1e-30f}}), 77);
        store().save("alice", bank);
        ContextBank loaded = new FileContextStore(root).load("alice").orElseThrow();
        Banks.assertSame(bank, loaded);
        assertTrue(loaded.massArray()[0] == 2f && loaded.referencesArray()[3] == 3f, "statistics are not all defaults");
    }

    @Test
    void fileIsPlainSafetensorsWithTheDocumentedTensorsAndMetadata() {
        store().save("alice", Banks.varied(1, 5, D));
        Path file = store().bankFile("alice");
        assertEquals(root.resolve("alice").resolve("bank.safetensors"), file);
        Map<String, String> meta = SafeTensors.metadata(file);
        assertEquals("membank-context-bank", meta.get("format"));
        assertEquals("1", meta.get("version"));
        assertEquals("alice", meta.get("user"));
        assertEquals("4", meta.get("dim"));
        assertEquals("5", meta.get("rows"));
        assertTrue(meta.get("crc32c").matches("[0-9a-f]{8}"), meta.toString());
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = SafeTensors.read(file);
            assertEquals(List.of("vectors", "mass", "references", "attention", "last_used"), List.copyOf(tensors.keySet()));
            assertEquals(List.of(5L, 4L), List.of(tensors.get("vectors").size(0), tensors.get("vectors").size(1)));
            assertEquals(5L, tensors.get("last_used").size(0));
        }
    }

    @Test
    void emptyBankRoundTrips() {
        store().save("alice", new ContextBank(D));
        ContextBank loaded = store().load("alice").orElseThrow();
        assertEquals(0, loaded.size());
        assertEquals(D, loaded.dim());
    }

    @Test
    void twoUsersNeverMix() throws IOException {
        FileContextStore store = store();
        ContextBank alice = Banks.varied(1, 6, D);
        ContextBank bob = Banks.varied(2, 3, D);
        store.save("alice", alice);
        store.save("bob", bob);
        assertNotEquals(store.bankFile("alice"), store.bankFile("bob"));
        Banks.assertSame(alice, store.load("alice").orElseThrow());
        Banks.assertSame(bob, store.load("bob").orElseThrow());
        assertEquals(List.of("alice", "bob"), store.users());

        assertTrue(store.delete("alice"));
        assertTrue(store.load("alice").isEmpty());
        Banks.assertSame(bob, store.load("bob").orElseThrow());
        assertEquals(List.of("bob"), store.users());
        assertFalse(store.delete("alice"), "nothing left to delete");
        assertFalse(store.delete("carol"), "never had a bank");
        assertFalse(Files.exists(root.resolve("carol")), "asking about a user creates nothing");
    }

    @Test
    void aBankCopiedIntoAnotherUsersDirectoryIsRefused() throws IOException {
        FileContextStore store = store();
        store.save("alice", Banks.varied(1, 3, D));
        store.save("bob", Banks.varied(2, 3, D));
        Files.copy(store.bankFile("alice"), store.bankFile("bob"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store.load("bob"));
        assertTrue(e.getMessage().contains("belongs to user 'alice'"), e.getMessage());
    }

    @Test
    void aCrashBetweenWriteAndRenameKeepsTheOldBankAndItsLeftoverIsIgnoredThenCleaned() throws IOException {
        ContextBank old = Banks.varied(1, 5, D);
        store().save("alice", old);
        Path stash = root.resolve("stash");
        AtomicReference<Path> leftover = new AtomicReference<>();
        FileContextStore crashing = new FileContextStore(root, temp -> {
            Files.copy(temp, stash); // what the disk holds at the moment of the crash
            leftover.set(temp);
            throw new IOException("simulated crash before rename");
        });
        ContextBank newer = Banks.varied(2, 8, D);
        assertThrows(ContextStoreException.class, () -> crashing.save("alice", newer));
        Files.move(stash, leftover.get()); // a real crash leaves the complete temporary file behind
        assertTrue(Files.size(leftover.get()) > 0);

        FileContextStore restarted = store();
        Banks.assertSame(old, restarted.load("alice").orElseThrow());
        assertEquals(List.of("alice"), restarted.users());

        restarted.save("alice", newer);
        Banks.assertSame(newer, restarted.load("alice").orElseThrow());
        try (Stream<Path> files = Files.list(root.resolve("alice"))) {
            assertEquals(List.of(".lock", "bank.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "the leftover is cleaned");
        }
    }

    @Test
    void aFlippedDataByteIsRefusedByTheChecksum() throws IOException {
        ContextBank bank = Banks.varied(1, 5, D);
        store().save("alice", bank);
        Path file = store().bankFile("alice");
        byte[] bytes = Files.readAllBytes(file);
        int dataBytes = 5 * D * 4 + 3 * 5 * 4 + 5 * 8;
        bytes[bytes.length - dataBytes + 3] ^= 0x01; // inside the first vector
        Files.write(file, bytes);
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "does not match its checksum", file);
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        store().save("alice", Banks.varied(1, 5, D));
        Path file = store().bankFile("alice");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "truncated", file);
        Files.write(file, java.util.Arrays.copyOf(bytes, 5));
        e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "cannot be read", file);
    }

    @Test
    void aDimThatDoesNotFitTheShapesIsRefused() throws IOException {
        store().save("alice", Banks.varied(1, 5, D));
        Path file = store().bankFile("alice");
        replaceInHeader(file, "\"dim\":\"4\"", "\"dim\":\"5\"");
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "has shape [5, 4], but the metadata (rows 5, dim 5) needs [5, 5]", file);
    }

    @Test
    void anotherFormatIsRefused() throws IOException {
        store().save("alice", Banks.varied(1, 5, D));
        Path file = store().bankFile("alice");
        replaceInHeader(file, "membank-context-bank", "membank-context-bonk");
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "not a context bank (metadata format is 'membank-context-bonk'", file);

        try (PointerScope scope = new PointerScope()) {
            SafeTensors.write(file, Map.of("weight", Banks.rows(1, 2, 2)), null); // a model file, no metadata
        }
        e = assertThrows(ContextStoreException.class, () -> store().load("alice"));
        assertMessage(e, "metadata format is missing", file);
    }

    @Test
    void aBankOfAnotherWidthIsRefusedByLoadOrCreate() {
        store().save("alice", Banks.varied(1, 5, D));
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> store().loadOrCreate("alice", 8));
        assertTrue(e.getMessage().contains("width 4, but this model needs width 8"), e.getMessage());
        assertEquals(5, store().loadOrCreate("alice", D).size());
        ContextBank fresh = store().loadOrCreate("bob", 8);
        assertEquals(0, fresh.size());
        assertEquals(8, fresh.dim());
        assertTrue(store().users().equals(List.of("alice")), "loadOrCreate saves nothing");
    }

    @Test
    void invalidUserIdsAreRefusedNamingTheAllowedCharacters() {
        FileContextStore store = store();
        for (String bad : new String[] {"", "..", ".hidden", "a/b", "../alice", "with space", "ü", "x".repeat(129)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load(bad), bad);
            assertTrue(e.getMessage().contains("A-Z, a-z, 0-9 and . _ @ -"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> store.save("a/b", new ContextBank(D)));
        assertThrows(IllegalArgumentException.class, () -> store.delete(null));
        store.save("bob@example.org", new ContextBank(D));
        store.save("x".repeat(128), new ContextBank(D));
        assertEquals(2, store.users().size());
    }

    @Test
    void concurrentSavesOfOneUserLeaveOneWholeBank() throws Exception {
        FileContextStore store = store();
        ContextBank a = Banks.varied(1, 40, D);
        ContextBank b = Banks.varied(2, 30, D);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> saves = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ContextBank bank = i % 2 == 0 ? a : b;
                saves.add(pool.submit(() -> store.save("alice", bank)));
            }
            for (Future<?> f : saves) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        ContextBank loaded = store.load("alice").orElseThrow();
        Banks.assertSame(loaded.size() == a.size() ? a : b, loaded);
    }

    private static void replaceInHeader(Path file, String from, String to) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(from), "header holds " + from);
        assertEquals(from.length(), to.length(), "the header keeps its length");
        Files.write(file, text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertMessage(ContextStoreException e, String what, Path file) {
        String m = e.getMessage();
        assertTrue(m.contains(what), m);
        assertTrue(m.contains("user 'alice'"), m);
        assertTrue(m.contains(file.toString()), m);
        assertTrue(m.contains("restore it from a backup or remove it with `membank context forget --user alice`"), m);
    }
}
