package membank.eval;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import me.tongfei.progressbar.ProgressBar;

import membank.data.Probe;
import membank.data.Tokenizer;
import membank.model.ForwardPass;
import membank.model.MemoryLM;
import membank.nn.Ops;
import membank.nn.Precision;
import membank.util.Progress;
import membank.data.TokenBatch;
import membank.nn.Scope;

/** Validation loss and exact-match fact recall of a model, without gradient. */
public final class Evaluator {
    private final MemoryLM model;
    private final Precision precision;
    private final boolean progress;

    /** {@code progress} shows a bar on stderr for each loop (off inside training, which has its own). */
    public Evaluator(MemoryLM model, Precision precision, boolean progress) {
        this.model = model;
        this.precision = precision;
        this.progress = progress;
    }

    /** Mean loss over the counted targets of at most {@code maxBatches} batches (each batch weighs the same). */
    public double loss(Iterator<TokenBatch> batches, int maxBatches) {
        model.train(false);
        double sum = 0;
        int count = 0;
        try (Scope ignored = Scope.noGrad(); ProgressBar bar = Progress.bar("eval loss", maxBatches, progress)) {
            while (batches.hasNext() && count < maxBatches) {
                bar.step();
                try (Scope scope = Scope.tensors(); var ac = precision.autocast(model.device())) {
                    TokenBatch batch = batches.next();
                    sum += model.loss(Ops.longs(batch.inputs()), Ops.longs(batch.targets())).item_double();
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no validation batch: the validation data is shorter than one"
                    + " batch of batch_size x (seq_len + 1) tokens; add data or lower training.seq_len");
        }
        return sum / count;
    }

    public static double perplexity(double loss) {
        return Math.exp(loss);
    }

    /**
     * A probe counts as recalled when greedy decoding after the prompt yields exactly the answer's
     * tokens; with teacher forcing that is: every answer token is the argmax at its position.
     */
    public RecallResult recall(Tokenizer tokenizer, List<Probe> probes, int batchSize) {
        model.train(false);
        long start = tokenizer.eosId().orElse(-1);
        int correct = 0;
        Map<String, int[]> byAttribute = new LinkedHashMap<>();
        boolean[] hits = new boolean[probes.size()];
        try (ProgressBar bar = Progress.bar("fact recall", probes.size(), progress)) {
            for (int from = 0; from < probes.size(); from += batchSize) {
                List<Probe> chunk = probes.subList(from, Math.min(probes.size(), from + batchSize));
                boolean[] chunkHits = recallBatch(tokenizer, chunk, start);
                System.arraycopy(chunkHits, 0, hits, from, chunkHits.length);
                correct += tally(chunk, chunkHits, byAttribute);
                bar.stepBy(chunk.size());
            }
        }
        return new RecallResult(correct, probes.size(), byAttribute, hits);
    }

    /** Adds a batch's hits to the per-attribute [correct, total] counts; returns its number of hits. */
    private static int tally(List<Probe> probes, boolean[] hits, Map<String, int[]> byAttribute) {
        int correct = 0;
        for (int i = 0; i < probes.size(); i++) {
            int[] counts = byAttribute.computeIfAbsent(probes.get(i).attribute(), k -> new int[2]);
            counts[1]++;
            if (hits[i]) {
                counts[0]++;
                correct++;
            }
        }
        return correct;
    }

    private boolean[] recallBatch(Tokenizer tokenizer, List<Probe> probes, long start) {
        List<long[]> prompts = new ArrayList<>();
        List<long[]> answers = new ArrayList<>();
        int width = 0;
        for (Probe p : probes) {
            long[] prompt = withStart(start, tokenizer.encode(p.prompt()));
            long[] answer = toLongs(tokenizer.encode(p.answer()));
            prompts.add(prompt);
            answers.add(answer);
            width = Math.max(width, prompt.length + answer.length);
        }
        long[][] rows = new long[probes.size()][width];
        long[][] prompt = new long[probes.size()][width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(prompts.get(i), 0, rows[i], 0, prompts.get(i).length);
            System.arraycopy(answers.get(i), 0, rows[i], prompts.get(i).length, answers.get(i).length);
            Arrays.fill(prompt[i], 0, prompts.get(i).length, 1L);
        }
        long[] predicted;
        try (Scope scope = Scope.inference();
             var ac = precision.autocast(model.device())) {
            // Sequence routing averages over the marked positions: the prompt only, as when the
            // answer is generated, so the teacher-forced answer cannot steer the router.
            Tensor logits = model.forward(Ops.longs(rows), ForwardPass.PLAIN.withValid(Ops.longs(prompt)));
            predicted = Ops.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(-1), false));
        }
        boolean[] hits = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            hits[i] = answerIsArgmax(predicted, i * width, prompts.get(i).length, answers.get(i));
        }
        return hits;
    }

    /**
     * Right padding cannot change earlier positions of a causal model (sequence routing looks at
     * the prompt alone), so rows share one forward.
     */
    private static boolean answerIsArgmax(long[] predicted, int rowOffset, int promptLength, long[] answer) {
        for (int j = 0; j < answer.length; j++) {
            if (predicted[rowOffset + promptLength - 1 + j] != answer[j]) {
                return false;
            }
        }
        return answer.length > 0;
    }

    private static long[] withStart(long start, int[] ids) {
        int offset = start >= 0 ? 1 : 0;
        long[] out = new long[ids.length + offset];
        if (offset == 1) {
            out[0] = start;
        }
        for (int i = 0; i < ids.length; i++) {
            out[i + offset] = ids[i];
        }
        return out;
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
