package membank.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.config.DataConfig;
import membank.config.RunConfig;
import membank.config.TrainConfig;
import membank.data.Documents;
import membank.data.EncodedDocuments;
import membank.data.Exposures;
import membank.data.KnowledgeSet;
import membank.data.KnowledgeSpec;
import membank.data.Probe;
import membank.data.QaPair;
import membank.data.Split;
import membank.data.WordTokenizer;
import membank.train.Corpus;

/**
 * The data one sweep point's units share: on the knowledge set, the facts and their probes, and
 * the instruct phase's file; on text, how many bytes a token of the validation data stands for
 * (to report bits per byte). Also the tokens each exposure budget needs, computed once.
 */
final class PointData {
    /** Enough validation text to measure bytes per token closely without reading a large corpus twice. */
    private static final long DENSITY_TOKENS = 2_000_000;

    private final KnowledgeSet knowledge;
    private final ArmConfigs.InstructFile instructFile;
    private final List<Probe> recallProbes;
    private final List<Probe> qaProbes;
    private final List<Probe> instructProbes;
    private final double bytesPerToken;
    private final Map<String, Long> exposureTokens = new HashMap<>();

    private PointData(KnowledgeSet knowledge, ArmConfigs.InstructFile instructFile, List<Probe> recallProbes,
                      List<Probe> qaProbes, List<Probe> instructProbes, double bytesPerToken) {
        this.knowledge = knowledge;
        this.instructFile = instructFile;
        this.recallProbes = recallProbes;
        this.qaProbes = qaProbes;
        this.instructProbes = instructProbes;
        this.bytesPerToken = bytesPerToken;
    }

    /**
     * Writes the instruct phase's data (and the word tokenizer it is read with) into {@code dataDir}
     * when the experiment has that phase, unless {@code write} is off (a rank that reads rank 0's).
     */
    static PointData prepare(ObjectNode base, Experiment experiment, Path dataDir, boolean write) {
        RunConfig run = RunConfig.parse(base);
        TrainConfig training = run.training();
        if (training.data().kind() != DataConfig.Kind.KNOWLEDGE) {
            return new PointData(null, null, List.of(), List.of(), List.of(), bytesPerToken(Corpus.open(training, run.model())));
        }
        KnowledgeSet knowledge = KnowledgeSet.generate(new KnowledgeSpec(training.data().entities(), training.data().knowledgeSeed()));
        List<Probe> recall = knowledge.probes(Split.SEEN);
        if (experiment.instruct() == null) {
            return new PointData(knowledge, null, recall, List.of(), List.of(), Double.NaN);
        }
        List<QaPair> pairs = InstructData.pairs(knowledge, experiment.instruct().entities());
        Path path = dataDir.resolve("instruct.jsonl");
        Path word = dataDir.resolve("word-tokenizer").resolve("tokenizer.json");
        if (write) {
            InstructData.write(pairs, path);
        }
        if (write && DataConfig.WORD.equals(training.data().tokenizer())) {
            writeWordTokenizer(word);
        }
        var file = new ArmConfigs.InstructFile(path, pairs.size(),
                pairs.stream().mapToInt(p -> InstructData.render(p).length()).average().orElse(1), word);
        return new PointData(knowledge, file, recall, InstructData.probes(knowledge.qaPairs()), InstructData.probes(pairs),
                Double.NaN);
    }

    private static void writeWordTokenizer(Path file) {
        try {
            WordTokenizer.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Whether the data is the knowledge set, so facts can be probed. */
    boolean knows() {
        return knowledge != null;
    }

    ArmConfigs.InstructFile instructFile() {
        return instructFile;
    }

    List<Probe> recallProbes() {
        return recallProbes;
    }

    List<Probe> qaProbes() {
        return qaProbes;
    }

    List<Probe> instructProbes() {
        return instructProbes;
    }

    double bytesPerToken() {
        return bytesPerToken;
    }

    /** The ids a run of {@code run}'s data must stream so that each document is seen {@code exposures} times. */
    long exposureTokens(RunConfig run, int exposures) {
        String key = run.training().data().toString() + "/" + exposures;
        return exposureTokens.computeIfAbsent(key,
                k -> Exposures.tokensFor(Corpus.open(run.training(), run.model()).train(), exposures));
    }

    /**
     * UTF-8 bytes per token of the validation data (EOS counted as a token of no bytes), so that a
     * loss in nats per token converts to bits per byte whatever the tokenizer.
     */
    private static double bytesPerToken(Corpus corpus) {
        EncodedDocuments validation = corpus.validation();
        long tokens = 0;
        long bytes = 0;
        try (Documents docs = validation.documents().documents(0)) {
            while (tokens < DENSITY_TOKENS && docs.hasNext()) {
                int[] ids = validation.encoder().apply(docs.next());
                bytes += corpus.tokenizer().decode(ids).getBytes(StandardCharsets.UTF_8).length;
                tokens += ids.length + 1;
            }
        }
        if (tokens == 0 || bytes == 0) {
            throw new IllegalArgumentException("the validation data of " + corpus.description() + " is empty: no bits per byte");
        }
        return bytes / (double) tokens;
    }
}
