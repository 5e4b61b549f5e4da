package membank.data;

import java.util.Iterator;

/**
 * One pass over a {@link TextSource}. Files are opened lazily and closed at the end of the pass;
 * close it when stopping early.
 */
public interface Documents extends Iterator<String>, AutoCloseable {

    @Override
    void close();
}
