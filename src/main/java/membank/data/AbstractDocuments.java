package membank.data;

import java.util.NoSuchElementException;

/** Iterator plumbing for sources that can only tell the next document by reading it. */
abstract class AbstractDocuments implements Documents {

    private String next;
    private boolean done;

    /** The next document, or null at the end of the pass. */
    abstract String computeNext();

    @Override
    public final boolean hasNext() {
        if (next == null && !done) {
            next = computeNext();
            if (next == null) {
                done = true;
                close();
            }
        }
        return next != null;
    }

    @Override
    public final String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String doc = next;
        next = null;
        return doc;
    }

    @Override
    public void close() {
    }
}
