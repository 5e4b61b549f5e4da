package membank.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchesTest {

    /** Byte ids without a native tokenizer, so these tests stay fast. */
    static final Function<String, int[]> BYTES = s -> {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    };
    static final int EOS = ByteTokenizer.EOS_ID;

    @TempDir
    Path dir;

    private static List<Long> expectedStream(List<String> docs) {
        List<Long> ids = new ArrayList<>();
        for (String d : docs) {
            for (int id : BYTES.apply(d)) {
                ids.add((long) id);
            }
            ids.add((long) EOS);
        }
        return ids;
    }

    @Test
    void rowsArePackedDocumentsWithEosAndShareOneToken() {
        List<String> docs = List.of("hello", "wide world", "x", "a longer document here");
        List<Long> stream = expectedStream(docs);
        int seqLen = 4;
        try (Batches b = Batches.evaluation(TextSource.of(docs), BYTES, EOS, new BatchSpec(3, seqLen))) {
            int row = 0;
            while (b.hasNext()) {
                for (long[] r : b.next()) {
                    assertEquals(seqLen + 1, r.length);
                    for (int j = 0; j <= seqLen; j++) {
                        assertEquals(stream.get(row * seqLen + j), r[j], "row " + row + " col " + j);
                    }
                    row++;
                }
            }
            // 42 tokens -> 41 targets -> 10 full rows of 4 -> 3 batches of 3; the 10th row is dropped.
            assertEquals(42, stream.size());
            assertEquals(9, row);
            assertEquals(3, b.position());
        }
    }

    @Test
    void trainingLoopsOverEpochsAndIsDeterministic() {
        List<String> docs = IntStream.range(0, 10).mapToObj(i -> "document number " + i).toList();
        TextSource src = TextSource.of(docs).shuffled(5);
        List<long[][]> first = take(Batches.training(src, BYTES, EOS, new BatchSpec(3, 16)), 40);
        List<long[][]> second = take(Batches.training(src, BYTES, EOS, new BatchSpec(3, 16)), 40);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i));
        }
        try (Batches b = Batches.training(src, BYTES, EOS, new BatchSpec(3, 16))) {
            b.skip(40);
            assertTrue(b.epoch() >= 5, "epoch " + b.epoch());
            assertTrue(b.hasNext());
        }
    }

    @Test
    void skipResumesExactly() {
        KnowledgeSet kb = KnowledgeSet.generate(new KnowledgeSpec(30, 3));
        TextSource src = kb.trainSource().shuffled(11);
        BatchSpec spec = new BatchSpec(4, 32);
        List<long[][]> straight = take(Batches.training(src, BYTES, EOS, spec), 60);
        try (Batches resumed = Batches.training(src, BYTES, EOS, spec)) {
            resumed.skip(37);
            assertEquals(37, resumed.position());
            for (int i = 37; i < 60; i++) {
                assertArrayEquals(straight.get(i), resumed.next(), "batch " + i);
            }
        }
    }

    @Test
    void skippingPastTheEndOfFiniteDataIsAnError() {
        try (Batches b = Batches.evaluation(TextSource.of(List.of("abcdefgh")), BYTES, EOS, new BatchSpec(1, 4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.skip(5));
            assertTrue(e.getMessage().contains("ends after 2"), e.getMessage());
            assertFalse(b.hasNext());
        }
    }

    @Test
    void emptyHoldOutPartIsAnErrorNamingTheSource() {
        TextSource tiny = TrainValidation.everyKth(TextSource.of("tiny corpus", List.of("a", "b")), 5).validation();
        try (Batches b = Batches.training(tiny, BYTES, EOS, new BatchSpec(1, 4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::hasNext);
            assertTrue(e.getMessage().contains("tiny corpus"), e.getMessage());
        }
    }

    @Test
    void worksWithTheRealTokenizerAndItsEos() throws Exception {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.load(dir);
                Batches b = Batches.training(TextSource.of(List.of("héllo")), tok, new BatchSpec(1, 7))) {
            assertArrayEquals(new long[] {'h', 0xC3, 0xA9, 'l', 'l', 'o', EOS, 'h'}, b.next()[0]);
            assertArrayEquals(new long[] {'h', 0xC3, 0xA9, 'l', 'l', 'o', EOS, 'h'}, b.next()[0]);
        }
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BatchSpec(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new BatchSpec(2, 0));
    }

    private static List<long[][]> take(Batches b, int n) {
        List<long[][]> out = new ArrayList<>();
        try (b) {
            for (int i = 0; i < n; i++) {
                out.add(b.next());
            }
        }
        return out;
    }
}
