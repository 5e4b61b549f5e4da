package membank.memory;

/** How a quantised bank is held in memory; float banks are the same in both forms. */
public enum BankForm {
    /** A float copy that training updates; it is quantised when saved. */
    TRAINABLE,
    /** The int codes and scales as a checkpoint stores them, dequantised as they are read (inference). */
    QUANTISED
}
