package membank.data;

/**
 * Size and seed of a synthetic knowledge set.
 *
 * @param numEntities how many people to invent (each has one value per {@link Attribute})
 * @param seed everything (names, values, template choices, sentence order) follows from it
 */
public record KnowledgeSpec(int numEntities, long seed) {

    public KnowledgeSpec {
        if (numEntities < 1 || numEntities > Names.capacity()) {
            throw new IllegalArgumentException("numEntities = " + numEntities
                    + ": must be between 1 and " + Names.capacity() + " (the number of distinct names)");
        }
    }
}
