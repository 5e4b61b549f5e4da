package membank.data;

/** Keeps the documents of a source whose index falls in one side of a every-k-th split. */
final class FilteredSource implements TextSource {

    private final TextSource inner;
    private final int every;
    private final boolean validation;

    FilteredSource(TextSource inner, int every, boolean validation) {
        if (every < 2) {
            throw new IllegalArgumentException("hold out every k-th document: k = " + every + ", must be >= 2");
        }
        this.inner = inner;
        this.every = every;
        this.validation = validation;
    }

    static boolean isValidation(long index, int every) {
        return index % every == every - 1;
    }

    @Override
    public Documents documents(int epoch) {
        Documents docs = inner.documents(epoch);
        return new AbstractDocuments() {
            private long index;

            @Override
            String computeNext() {
                while (docs.hasNext()) {
                    String doc = docs.next();
                    if (isValidation(index++, every) == validation) {
                        return doc;
                    }
                }
                return null;
            }

            @Override
            public void close() {
                docs.close();
            }
        };
    }

    @Override
    public String describe() {
        return (validation ? "validation" : "training") + " part (every " + every + "th held out) of "
                + inner.describe();
    }
}
