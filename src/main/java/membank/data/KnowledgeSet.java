package membank.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import membank.util.AtomicFile;

/**
 * The synthetic knowledge set: invented people with one value per {@link Attribute}, written as
 * short biographies for training and as prompts and questions with exact answers for evaluation.
 * Everything is a deterministic function of the {@link KnowledgeSpec}; see docs/data.md.
 */
public final class KnowledgeSet {

    // Stream tags keep the random choices of different purposes independent of each other, so
    // e.g. adding a probe split does not change the training documents.
    private static final long VALUES = 1, DOCUMENTS = 2, PROBES = 3;

    private final KnowledgeSpec spec;
    private final List<Entity> entities;

    private KnowledgeSet(KnowledgeSpec spec, List<Entity> entities) {
        this.spec = spec;
        this.entities = entities;
    }

    public static KnowledgeSet generate(KnowledgeSpec spec) {
        List<String> names = Names.draw(spec.numEntities(), new Random(spec.seed()));
        List<Entity> entities = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            Random rnd = random(spec.seed(), VALUES, i, 0);
            Map<String, String> values = new LinkedHashMap<>();
            for (Attribute a : Attribute.values()) {
                values.put(a.key(), a.choices().get(rnd.nextInt(a.choices().size())));
            }
            entities.add(new Entity(names.get(i), values));
        }
        return new KnowledgeSet(spec, List.copyOf(entities));
    }

    public KnowledgeSpec spec() {
        return spec;
    }

    public List<Entity> entities() {
        return entities;
    }

    /** The training biographies as first rendered (epoch 0). */
    public List<String> trainDocuments() {
        return trainDocuments(0);
    }

    /**
     * One biography per entity, in entity order: one sentence per attribute from a train
     * template, sentences in random order. Each epoch draws new template choices and orders, so
     * a model sees each fact in several wordings; the facts stay the same.
     */
    public List<String> trainDocuments(int epoch) {
        List<String> docs = new ArrayList<>(entities.size());
        for (int i = 0; i < entities.size(); i++) {
            docs.add(biography(entities.get(i), random(spec.seed(), DOCUMENTS, i, epoch)));
        }
        return docs;
    }

    private static String biography(Entity e, Random rnd) {
        List<String> sentences = new ArrayList<>();
        for (Attribute a : Attribute.values()) {
            List<Template> ts = a.templates(Split.SEEN);
            sentences.add(ts.get(rnd.nextInt(ts.size())).render(e.name(), e.value(a)));
        }
        Collections.shuffle(sentences, rnd);
        return String.join(" ", sentences);
    }

    /** The training documents as a source whose epoch {@code e} is {@link #trainDocuments(int) trainDocuments(e)}. */
    public TextSource trainSource() {
        return TextSource.rendered("knowledge set " + spec, this::trainDocuments);
    }

    /** One probe per entity and attribute, with a template of the given split. */
    public List<Probe> probes(Split split) {
        List<Probe> probes = new ArrayList<>(entities.size() * Attribute.values().length);
        for (int i = 0; i < entities.size(); i++) {
            Random rnd = random(spec.seed(), PROBES, i, split.ordinal());
            Entity e = entities.get(i);
            for (Attribute a : Attribute.values()) {
                List<Template> ts = a.templates(split);
                Template t = ts.get(rnd.nextInt(ts.size()));
                probes.add(new Probe(t.prompt(e.name()), " " + e.value(a), a.key()));
            }
        }
        return probes;
    }

    /** One question per entity and attribute, answered by the bare value. */
    public List<QaPair> qaPairs() {
        return qaPairs(e -> true);
    }

    /** The questions about the entities {@code keep} accepts, in entity order. */
    public List<QaPair> qaPairs(Predicate<Entity> keep) {
        List<QaPair> pairs = new ArrayList<>(entities.size() * Attribute.values().length);
        for (Entity e : entities) {
            if (!keep.test(e)) {
                continue;
            }
            for (Attribute a : Attribute.values()) {
                pairs.add(new QaPair(a.question(e.name()), e.value(a), a.key()));
            }
        }
        return pairs;
    }

    /** Accuracy of guessing uniformly: the mean over attributes of 1 / (number of values). */
    public double chanceAccuracy() {
        double sum = 0;
        for (Attribute a : Attribute.values()) {
            sum += 1.0 / a.choices().size();
        }
        return sum / Attribute.values().length;
    }

    /** True when the prediction is the answer, ignoring surrounding whitespace only. */
    public static boolean exactMatch(String predicted, String answer) {
        return predicted != null && answer != null && predicted.trim().equals(answer.trim());
    }

    /** The epoch-0 training documents, one {@code {"text": ...}} line each (readable by {@link TextSource#jsonl}). */
    public void writeJsonl(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<ObjectNode> lines = new ArrayList<>();
        for (String doc : trainDocuments()) {
            lines.add(mapper.createObjectNode().put("text", doc));
        }
        writeLines(file, mapper, lines);
    }

    /**
     * Everything an evaluation needs, one JSON object a line: {@code {"kind": "probe", "split":
     * "seen"|"heldout", "prompt", "answer", "attribute"}} and {@code {"kind": "qa", "question",
     * "answer", "attribute"}}.
     */
    public void writeEvalJsonl(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<ObjectNode> lines = new ArrayList<>();
        for (Split split : Split.values()) {
            for (Probe p : probes(split)) {
                lines.add(mapper.createObjectNode().put("kind", "probe")
                        .put("split", split.name().toLowerCase(Locale.ROOT))
                        .put("prompt", p.prompt()).put("answer", p.answer()).put("attribute", p.attribute()));
            }
        }
        for (QaPair q : qaPairs()) {
            lines.add(mapper.createObjectNode().put("kind", "qa").put("question", q.question())
                    .put("answer", q.answer()).put("attribute", q.attribute()));
        }
        writeLines(file, mapper, lines);
    }

    private static void writeLines(Path file, ObjectMapper mapper, List<ObjectNode> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ObjectNode line : lines) {
            text.append(mapper.writeValueAsString(line)).append('\n');
        }
        AtomicFile.write(file, text.toString());
    }

    /** An independent random stream for (seed, purpose, index, round), mixed with SplitMix64. */
    private static Random random(long seed, long purpose, long index, long round) {
        long h = seed;
        for (long part : new long[] {purpose, index, round}) {
            h = mix(h ^ mix(part + 0x9E3779B97F4A7C15L));
        }
        return new Random(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
