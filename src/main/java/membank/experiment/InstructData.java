package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

import membank.data.Entity;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.Probe;
import membank.data.QaPair;
import membank.util.AtomicFile;

/**
 * The instruct phase's data and the QA probes. Instruction tuning asks about other people than
 * pretraining (another knowledge seed, with every name pretraining uses left out), so the facts
 * the recall probes test are seen in pretraining only and whatever the instruct phase does to
 * them is forgetting, not re-teaching. The same "Question: ... Answer:" format, asked about the
 * pretrained people, measures whether the format learnt in phase 2 reaches facts from phase 1.
 */
public final class InstructData {
    /** Knowledge seed offset of the people asked about in the instruct phase. */
    static final long SEED_OFFSET = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InstructData() {
    }

    /** The instruct phase's question/answer pairs: {@code entities} people none of whose names are in {@code pretrained}. */
    public static List<QaPair> pairs(KnowledgeSet pretrained, int entities) {
        Set<String> taken = pretrained.entities().stream().map(Entity::name).collect(Collectors.toSet());
        KnowledgeSet other = KnowledgeSet.generate(new KnowledgeSpec(entities, pretrained.spec().seed() + SEED_OFFSET));
        List<QaPair> pairs = other.qaPairs(e -> !taken.contains(e.name()));
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("phases.instruct.entities " + entities + ": every drawn name is also a"
                    + " pretraining name; raise phases.instruct.entities");
        }
        return pairs;
    }

    /** One question and answer as the instruct phase trains on it. */
    public static String render(QaPair pair) {
        return prompt(pair) + " " + pair.answer();
    }

    /** A QA pair as a recall probe: the prompt ends at "Answer:", the answer is the bare value after a space. */
    public static Probe probe(QaPair pair) {
        return new Probe(prompt(pair), " " + pair.answer(), pair.attribute());
    }

    public static List<Probe> probes(List<QaPair> pairs) {
        return pairs.stream().map(InstructData::probe).toList();
    }

    private static String prompt(QaPair pair) {
        return "Question: " + pair.question() + "\nAnswer:";
    }

    /** Writes the pairs as {"text": ...} lines, the jsonl data kind the instruct phase trains on. */
    static void write(List<QaPair> pairs, Path file) {
        StringBuilder b = new StringBuilder();
        for (QaPair p : pairs) {
            b.append(JSON.createObjectNode().put("text", render(p))).append('\n');
        }
        try {
            AtomicFile.write(file, b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
