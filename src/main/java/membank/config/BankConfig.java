package membank.config;

/** How a bank is stored: {@code kind} dense (factorized/reduced and quantisation come later). */
public record BankConfig(String kind, Integer rank, String quant) {
    public static final String DENSE = "dense";

    public static BankConfig dense() {
        return new BankConfig(DENSE, null, null);
    }
}
