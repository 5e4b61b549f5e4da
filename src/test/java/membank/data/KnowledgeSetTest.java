package membank.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeSetTest {

    private static final int N = 200;
    private final KnowledgeSet set = KnowledgeSet.generate(new KnowledgeSpec(N, 42));

    @TempDir
    Path dir;

    @Test
    void sameSpecGivesIdenticalOutputAndAnotherSeedDiffers() {
        KnowledgeSet again = KnowledgeSet.generate(new KnowledgeSpec(N, 42));
        assertEquals(set.entities(), again.entities());
        assertEquals(set.trainDocuments(), again.trainDocuments());
        assertEquals(set.trainDocuments(3), again.trainDocuments(3));
        assertEquals(set.probes(Split.SEEN), again.probes(Split.SEEN));
        assertEquals(set.probes(Split.HELDOUT), again.probes(Split.HELDOUT));
        assertEquals(set.qaPairs(), again.qaPairs());
        KnowledgeSet other = KnowledgeSet.generate(new KnowledgeSpec(N, 43));
        assertNotEquals(set.entities(), other.entities());
        assertNotEquals(set.trainDocuments(), other.trainDocuments());
    }

    @Test
    void namesAreUniqueAndEveryAttributeHasAValidValue() {
        Set<String> names = new HashSet<>();
        for (Entity e : set.entities()) {
            assertTrue(names.add(e.name()), "duplicate " + e.name());
            for (Attribute a : Attribute.values()) {
                assertTrue(a.choices().contains(e.value(a)), e + " " + a);
            }
        }
        assertEquals(N, names.size());
    }

    @Test
    void largeSetsStayUniqueWithMiddleInitials() {
        List<Entity> big = KnowledgeSet.generate(new KnowledgeSpec(5000, 1)).entities();
        assertEquals(5000, big.stream().map(Entity::name).distinct().count());
        assertThrows(IllegalArgumentException.class, () -> new KnowledgeSpec(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new KnowledgeSpec(Names.capacity() + 1, 1));
    }

    @Test
    void documentsContainEveryFactWithTrainTemplatesOnly() {
        List<String> docs = set.trainDocuments();
        assertEquals(N, docs.size());
        for (int i = 0; i < N; i++) {
            Entity e = set.entities().get(i);
            String doc = docs.get(i);
            for (Attribute a : Attribute.values()) {
                assertTrue(containsOneOf(doc, a, Split.SEEN, e), doc + " / " + a);
                assertFalse(containsOneOf(doc, a, Split.HELDOUT, e), doc + " / " + a);
            }
        }
    }

    @Test
    void epochsVaryTheWordingButNotTheFacts() {
        assertNotEquals(set.trainDocuments(0), set.trainDocuments(1));
        List<String> epoch1 = set.trainDocuments(1);
        for (int i = 0; i < N; i++) {
            for (Attribute a : Attribute.values()) {
                assertTrue(containsOneOf(epoch1.get(i), a, Split.SEEN, set.entities().get(i)));
            }
        }
        // Sentence order is shuffled: the first sentence is not always about the same attribute.
        Set<String> firstWords = new HashSet<>();
        for (String d : set.trainDocuments()) {
            firstWords.add(d.substring(0, Math.min(d.length(), 12)));
        }
        assertTrue(firstWords.size() > 20);
    }

    @Test
    void probesEndRightBeforeTheAnswerAndSplitsUseDisjointTemplates() {
        for (Split split : Split.values()) {
            List<Probe> probes = set.probes(split);
            assertEquals(N * Attribute.values().length, probes.size());
            for (Probe p : probes) {
                assertTrue(p.answer().startsWith(" ") && !p.answer().startsWith("  "), p.toString());
                assertFalse(p.prompt().endsWith(" "), p.toString());
            }
        }
        Set<String> seenPrompts = new HashSet<>();
        set.probes(Split.SEEN).forEach(p -> seenPrompts.add(p.prompt()));
        for (Probe p : set.probes(Split.HELDOUT)) {
            assertFalse(seenPrompts.contains(p.prompt()), p.toString());
        }
        // A seen probe plus its answer is a sentence prefix that occurs in some epoch's training text.
        Probe first = set.probes(Split.SEEN).get(0);
        String text = String.join(" ", set.trainDocuments(0)) + String.join(" ", set.trainDocuments(1))
                + String.join(" ", set.trainDocuments(2));
        assertTrue(text.contains(first.prompt() + first.answer()), first.toString());
    }

    @Test
    void qaPairsAskForTheValue() {
        List<QaPair> qa = set.qaPairs();
        assertEquals(N * Attribute.values().length, qa.size());
        Entity e = set.entities().get(0);
        assertEquals(new QaPair("Where was " + e.name() + " born?", e.value(Attribute.BIRTH_CITY), "birth_city"),
                qa.get(0));
    }

    @Test
    void chanceAndExactMatch() {
        double expected = 0;
        for (Attribute a : Attribute.values()) {
            expected += 1.0 / a.choices().size();
        }
        assertEquals(expected / Attribute.values().length, set.chanceAccuracy(), 1e-12);
        assertTrue(set.chanceAccuracy() < 0.05);
        for (Attribute a : Attribute.values()) {
            assertTrue(a.choices().size() >= 20 && a.choices().size() <= 60, a.toString());
            assertEquals(a.choices().size(), new HashSet<>(a.choices()).size(), a + " has duplicate values");
        }
        assertTrue(KnowledgeSet.exactMatch(" Lisbon ", " Lisbon"));
        assertFalse(KnowledgeSet.exactMatch("Lisbon.", " Lisbon"));
        assertFalse(KnowledgeSet.exactMatch("lisbon", "Lisbon"));
        assertFalse(KnowledgeSet.exactMatch(null, "Lisbon"));
    }

    @Test
    void templatesAreWellFormed() {
        for (Attribute a : Attribute.values()) {
            assertTrue(a.templates(Split.SEEN).size() + a.templates(Split.HELDOUT).size() >= 4);
            assertTrue(a.templates(Split.HELDOUT).size() >= 1);
        }
        Template t = new Template("{name} was born in the city of {value}.");
        assertEquals("Ada X was born in the city of", t.prompt("Ada X"));
        assertEquals("Ada X was born in the city of Lisbon.", t.render("Ada X", "Lisbon"));
        assertThrows(IllegalArgumentException.class, () -> new Template("{value} is {name}"));
    }

    @Test
    void jsonlFilesAreReadableAsCorpora() throws Exception {
        Path docs = dir.resolve("kb/train.jsonl");
        set.writeJsonl(docs);
        List<String> read = new ArrayList<>();
        try (Documents d = TextSource.jsonl(docs).documents(0)) {
            d.forEachRemaining(read::add);
        }
        assertEquals(set.trainDocuments(), read);
        Path eval = dir.resolve("kb/eval.jsonl");
        set.writeEvalJsonl(eval);
        List<String> lines = Files.readAllLines(eval);
        assertEquals(N * Attribute.values().length * 3, lines.size());
        assertTrue(lines.get(0).startsWith("{\"kind\":\"probe\",\"split\":\"seen\",\"prompt\":"), lines.get(0));
    }

    @Test
    void trainSourceRendersEachEpoch() {
        TextSource src = set.trainSource();
        List<String> epoch2 = new ArrayList<>();
        src.documents(2).forEachRemaining(epoch2::add);
        assertEquals(set.trainDocuments(2), epoch2);
    }

    private static boolean containsOneOf(String doc, Attribute a, Split split, Entity e) {
        return a.templates(split).stream().anyMatch(t -> doc.contains(t.render(e.name(), e.value(a))));
    }
}
