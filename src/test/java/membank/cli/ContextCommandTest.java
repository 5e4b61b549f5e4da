package membank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import membank.context.BankFormat;
import membank.context.ContextBank;
import membank.context.FileContextStore;

/** membank context list / inspect / export / forget on a temporary store. */
class ContextCommandTest {
    /** Four rows; rows 0 and 1 are merged, so three remain standing for four original vectors. */
    private static final float[][] ROWS = {{1, 2, 3}, {3, 4, 5}, {-0.1f, 1e-7f, 12345.678f}, {0.3f, -0f, 7}};

    @TempDir
    Path tmp;
    Path root;
    FileContextStore store;

    @BeforeEach
    void twoUsers() {
        root = tmp.resolve("store");
        store = new FileContextStore(root);
        store.save("alice", alice());
        ContextBank bob = new ContextBank(5);
        try (PointerScope scope = new PointerScope()) {
            bob.add(tensor(new float[][] {{1, 1, 1, 1, 1}}), 2);
        }
        store.save("bob", bob);
    }

    /** After the merge, per row: references 2, 0, 1 (mean 1), attention 0.5, 0, 0.2, last used at steps 9, 3, 5. */
    private static ContextBank alice() {
        ContextBank bank = new ContextBank(3);
        try (PointerScope scope = new PointerScope()) {
            bank.add(tensor(ROWS), 3);
        }
        bank.recordUse(new int[] {0, 1}, new float[] {0.4f, 0.6f}, 9);
        bank.recordUse(new int[] {2}, new float[] {0.2f}, 5);
        bank.merge(0, 1); // the last row moves into row 1
        return bank;
    }

    private CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--store";
        all[args.length + 1] = root.toString();
        return CliRun.of(all);
    }

    @Test
    void listShowsEachUsersRowsWidthAndBytesOnDisk() throws IOException {
        CliRun r = run("context", "list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("context banks in " + root), r.out());
        assertTrue(r.out().matches("(?s).*alice\\s+3\\s+3\\s+" + java.util.regex.Pattern.quote(
                Tables.bytes(Files.size(store.bankFile("alice")))) + ".*"), r.out());
        assertTrue(r.out().matches("(?s).*bob\\s+1\\s+5\\s+.*"), r.out());
        assertTrue(r.out().contains("2 users"), r.out());

        CliRun empty = CliRun.of("context", "list", "--store", tmp.resolve("nothing-here").toString());
        assertEquals(0, empty.exit(), empty.err());
        assertTrue(empty.out().contains("no context banks in"), empty.out());
    }

    @Test
    void inspectPrintsSizesStatisticsFileAndVerifiedChecksum() throws IOException {
        CliRun r = run("context", "inspect", "--user", "alice");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        long bytes = Files.size(store.bankFile("alice"));
        assertTrue(out.contains("file:               " + store.bankFile("alice")), out);
        assertTrue(out.contains("checksum:           crc32c " + store.stored("alice").orElseThrow().checksum()
                + ", matches the data"), out);
        assertTrue(out.contains("vectors:            3 rows of width 3"), out);
        assertTrue(out.contains("remembered vectors: 4 (total mass, 1.33 per row)"), out);
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "(%,d B), %,.1f B per row, %,.1f B per remembered vector",
                bytes, bytes / 3.0, bytes / 4.0)), out);
        assertTrue(out.contains("references:         min 0, mean 1.00, max 2"), out);
        assertTrue(out.contains("attention:          mean 0.2333"), out);
        assertTrue(out.contains("last used:          steps 3 to 9"), out);
    }

    @Test
    void exportJsonlHasOneObjectPerRowThatReadsBackBitExact() throws IOException {
        Path out = tmp.resolve("out/alice.jsonl");
        CliRun r = run("context", "export", "--user", "alice", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("3 vectors of width 3") && r.out().contains("as jsonl"), r.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size());
        ContextBank bank = store.load("alice").orElseThrow();
        float[] vectors;
        try (PointerScope scope = new PointerScope()) {
            vectors = membank.nn.Ops.floats(bank.vectors());
        }
        ObjectMapper json = new ObjectMapper();
        for (int row = 0; row < 3; row++) {
            JsonNode node = json.readTree(lines.get(row));
            assertEquals(row, node.get("row").asInt());
            assertEquals(bank.mass(row), node.get("mass").floatValue());
            assertEquals(bank.references(row), node.get("references").floatValue());
            assertEquals(Float.floatToRawIntBits(bank.attention(row)), Float.floatToRawIntBits(node.get("attention").floatValue()));
            assertEquals(bank.lastUsed(row), node.get("last_used").asLong());
            for (int c = 0; c < 3; c++) {
                assertEquals(Float.floatToRawIntBits(vectors[row * 3 + c]),
                        Float.floatToRawIntBits(node.get("vector").get(c).floatValue()), "row " + row + " column " + c);
            }
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(json.readTree(lines.get(1)).get("vector").get(1).floatValue()),
                "negative zero survives");
    }

    @Test
    void exportSafetensorsWritesTheVerifiedBankAndRefusesToOverwriteWithoutForce() throws IOException {
        Path out = tmp.resolve("alice.safetensors");
        CliRun r = run("context", "export", "--user", "alice", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(Files.readAllBytes(store.bankFile("alice")), Files.readAllBytes(out));
        assertEquals(3, BankFormat.read(out, "alice").size());

        Files.writeString(out, "keep me");
        CliRun refused = run("context", "export", "--user", "alice", "--out", out.toString(), "--format", "safetensors");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("already exists; add --force"), refused.err());
        assertEquals("keep me", Files.readString(out));

        CliRun forced = run("context", "export", "--user", "alice", "--out", out.toString(), "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertArrayEquals(Files.readAllBytes(store.bankFile("alice")), Files.readAllBytes(out));

        CliRun format = run("context", "export", "--user", "alice", "--out", tmp.resolve("a.xml").toString(), "--format", "xml");
        assertEquals(1, format.exit());
        assertTrue(format.err().contains("--format xml: allowed: safetensors, jsonl"), format.err());
    }

    @Test
    void aMissingUserIsAnErrorNamingTheUsersThatHaveBanks() {
        Map<String, CliRun> runs = Map.of(
                "inspect", run("context", "inspect", "--user", "carol"),
                "export", run("context", "export", "--user", "carol", "--out", tmp.resolve("c.jsonl").toString()));
        runs.forEach((command, r) -> {
            assertEquals(1, r.exit(), command);
            assertTrue(r.err().contains("membank context " + command + ": user 'carol' has no context bank in " + root
                    + "; users with a bank: alice, bob"), r.err());
        });
        assertFalse(Files.exists(tmp.resolve("c.jsonl")));
        CliRun bad = run("context", "inspect", "--user", "../alice");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("A-Z, a-z, 0-9 and . _ @ -"), bad.err());
    }

    @Test
    void forgetRemovesOneBankAndSaysWhatAndASecondForgetIsNotAnError() {
        CliRun r = run("context", "forget", "--user", "alice");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("removed the context bank of user 'alice': 3 vectors of width 3"), r.out());
        assertTrue(store.load("alice").isEmpty());
        assertEquals(List.of("bob"), store.users());
        CliRun again = run("context", "forget", "--user", "alice");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("user 'alice' has no context bank in " + root + "; nothing removed"), again.out());
    }

    @Test
    void aDamagedBankIsReportedWithWhatToDoAndCanBeForgotten() throws IOException {
        Path file = store.bankFile("alice");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(file, bytes);
        CliRun r = run("context", "inspect", "--user", "alice");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("does not match its checksum"), r.err());
        assertTrue(r.err().contains("`membank context forget --user alice`"), r.err());
        CliRun list = run("context", "list");
        assertTrue(list.out().contains("bob"), "listing reads headers only: " + list.out());
        CliRun forget = run("context", "forget", "--user", "alice");
        assertEquals(0, forget.exit(), forget.err());
        assertFalse(Files.exists(file));
    }

    @Test
    void theDefaultStoreIsUnderMembankHomeElseTheUsersHome() {
        assertEquals(Path.of("/srv/mb", "context"), StoreOption.defaultDirectory(Map.of("MEMBANK_HOME", "/srv/mb"), "/home/u"));
        assertEquals(Path.of("/home/u", ".membank", "context"), StoreOption.defaultDirectory(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u", ".membank", "context"), StoreOption.defaultDirectory(Map.of("MEMBANK_HOME", " "), "/home/u"));
    }

    private static Tensor tensor(float[][] rows) {
        int d = rows[0].length;
        float[] flat = new float[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * d, d);
        }
        Tensor t = torch.empty(new long[] {rows.length, d}, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        new FloatPointer(t.data_ptr_float()).capacity(flat.length).put(flat);
        return t;
    }
}
