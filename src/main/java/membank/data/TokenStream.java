package membank.data;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The documents of a source as one stream of token ids, each document followed by the EOS id.
 * Only the current document's ids are held. A looping stream starts the next epoch when a pass
 * ends; a finite one ends after one pass.
 */
public final class TokenStream implements AutoCloseable {

    private final TextSource source;
    private final Function<String, int[]> encoder;
    private final int eosId;
    private final boolean loop;
    private int epoch;
    private Documents docs;
    private long docsThisEpoch;
    private int[] pending = new int[0];
    private int pos;
    private boolean ended;

    /**
     * @param encoder text to ids, e.g. {@code tokenizer::encode}
     * @param eosId appended after every document
     * @param loop true to cycle through epochs forever, false for a single pass
     */
    public TokenStream(TextSource source, Function<String, int[]> encoder, int eosId, boolean loop) {
        if (eosId < 0) {
            throw new IllegalArgumentException("eosId = " + eosId + ": must be a token id >= 0");
        }
        this.source = source;
        this.encoder = encoder;
        this.eosId = eosId;
        this.loop = loop;
        this.docs = source.documents(0);
    }

    /**
     * Copies up to {@code len} ids into {@code dst}; fewer only when a finite stream has ended.
     *
     * @return the number of ids copied
     */
    public int read(long[] dst, int off, int len) {
        int done = 0;
        while (done < len) {
            if (pos == pending.length && !advance()) {
                break;
            }
            int n = Math.min(len - done, pending.length - pos);
            for (int i = 0; i < n; i++) {
                dst[off + done + i] = pending[pos + i];
            }
            pos += n;
            done += n;
        }
        return done;
    }

    /** Loads the next document's ids (plus EOS); false at the end of a finite stream. */
    private boolean advance() {
        while (!ended) {
            if (docs.hasNext()) {
                pending = withEos(encoder.apply(docs.next()));
                pos = 0;
                docsThisEpoch++;
                return true;
            }
            nextEpoch();
        }
        return false;
    }

    private void nextEpoch() {
        docs.close();
        if (docsThisEpoch == 0) {
            throw new IllegalArgumentException("no documents in " + source.describe()
                    + " (is the hold-out larger than the corpus?)");
        }
        if (!loop) {
            ended = true;
            return;
        }
        epoch++;
        docsThisEpoch = 0;
        docs = source.documents(epoch);
    }

    private int[] withEos(int[] ids) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eosId;
        return out;
    }

    /** The epoch (0-based) the stream is reading from. */
    public int epoch() {
        return epoch;
    }

    @Override
    public void close() {
        docs.close();
    }
}
