package membank.train;

import java.util.function.Function;

import me.tongfei.progressbar.ProgressBar;

import membank.config.SplitConfig;
import membank.data.Documents;
import membank.data.TextSource;
import membank.util.Progress;

/**
 * One pass over a corpus of documents before training. Every document is read, so a bad JSONL line
 * or a file that is not UTF-8 stops the run now rather than hours into it; tokens are counted only
 * as far as choosing the split needs, not through the whole of a large corpus.
 *
 * @param documents documents read
 * @param tokens ids of the packed stream (each document's ids and its EOS); exact when {@code exact},
 *               else a lower bound
 * @param trainByDocuments stream tokens the training side of the document split got, counted up to one batch
 * @param validationByDocuments the same for its validation side
 */
record CorpusSurvey(long documents, long tokens, boolean exact, long trainByDocuments, long validationByDocuments) {

    /**
     * @param every the document split to try: document i is validation when {@code i % every == every - 1}
     * @param need tokens of one batch
     * @param fraction the share of tokens to hold out (training.data.val_fraction)
     */
    static CorpusSurvey of(TextSource all, Function<String, int[]> encoder, int every, long need, double fraction) {
        // Past this many tokens the token split can hold out just val_fraction and still fill a batch on each side.
        long cap = fraction > 0 ? (long) Math.ceil(need / fraction) + need : Long.MAX_VALUE;
        long documents = 0;
        long tokens = 0;
        long[] side = new long[2];
        try (Documents docs = all.documents(0); ProgressBar bar = Progress.bar("check data", -1, System.console() != null)) {
            while (docs.hasNext()) {
                String doc = docs.next();
                int s = documents++ % every == every - 1 ? 1 : 0;
                if (side[s] < need || tokens < cap) {
                    int n = encoder.apply(doc).length + 1;
                    side[s] += side[s] < need ? n : 0;
                    tokens += tokens < cap ? n : 0;
                }
                bar.step();
            }
        }
        return new CorpusSurvey(documents, tokens, tokens < cap, side[0], side[1]);
    }

    /**
     * Every {@code every}-th document when that gives each side a batch (so large corpora split as
     * they always have); otherwise the tail of every document, val_fraction of its tokens or more
     * so that the validation side gets at least one batch.
     */
    SplitConfig choose(int every, long need, double valFraction) {
        if (trainByDocuments >= need && validationByDocuments >= need) {
            return SplitConfig.documents(every);
        }
        long ids = tokens - documents;
        double fraction = exact && ids > 0 ? Math.max(valFraction, (double) need / ids) : valFraction;
        return SplitConfig.tokens(fraction);
    }
}
