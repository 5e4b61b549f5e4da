package membank.data;

/** Which sentence templates a probe uses. */
public enum Split {
    /** The templates the training documents are written with: tests recall. */
    SEEN,
    /** Templates never used in training: tests whether the fact generalises to a paraphrase. */
    HELDOUT
}
