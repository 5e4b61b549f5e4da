package membank.data;

import java.util.List;

/** The documents of several sources, one source after the other (a folder mixing text and JSONL files). */
final class ConcatSource implements TextSource {
    private final String name;
    private final List<TextSource> parts;

    ConcatSource(String name, List<TextSource> parts) {
        this.name = name;
        this.parts = List.copyOf(parts);
    }

    @Override
    public Documents documents(int epoch) {
        return new AbstractDocuments() {
            private int nextPart;
            private Documents current;

            @Override
            String computeNext() {
                while (true) {
                    if (current == null) {
                        if (nextPart == parts.size()) {
                            return null;
                        }
                        current = parts.get(nextPart++).documents(epoch);
                    }
                    if (current.hasNext()) {
                        return current.next();
                    }
                    current.close();
                    current = null;
                }
            }

            @Override
            public void close() {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }
        };
    }

    @Override
    public String describe() {
        return name;
    }
}
