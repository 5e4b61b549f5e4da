package membank.train;

import java.util.Arrays;
import java.util.List;

import membank.config.AdapterMethod;
import membank.config.ConfigException;

/**
 * A row of {@code compare-adapters}: an adaptation method, and for memory adapters the bank's form
 * (dense, or routed by chapters), with the kind of base it applies to. Memory and LoRA adapters add
 * to a plain base, sparse memory finetuning trains the bank of a base with memory, and full
 * fine-tuning applies to either.
 */
public enum ComparisonMethod {
    MEMORY("memory", AdapterMethod.MEMORY, BaseKind.PLAIN),
    MEMORY_ROUTED("memory-routed", AdapterMethod.MEMORY, BaseKind.PLAIN),
    LORA("lora", AdapterMethod.LORA, BaseKind.PLAIN),
    MEMORY_LORA("memory+lora", AdapterMethod.MEMORY_LORA, BaseKind.PLAIN),
    SPARSE_MEMORY("sparse-memory", AdapterMethod.SPARSE_MEMORY, BaseKind.MEMORY),
    FULL("full", AdapterMethod.FULL, null);

    /** Which base a method needs: one with a memory bank or one without. */
    public enum BaseKind {
        PLAIN("plain"), MEMORY("memory");

        private final String label;

        BaseKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static BaseKind of(boolean hasMemory) {
            return hasMemory ? MEMORY : PLAIN;
        }
    }

    private final String cliName;
    private final AdapterMethod method;
    private final BaseKind base;

    ComparisonMethod(String cliName, AdapterMethod method, BaseKind base) {
        this.cliName = cliName;
        this.method = method;
        this.base = base;
    }

    public String cliName() {
        return cliName;
    }

    public AdapterMethod method() {
        return method;
    }

    /** Whether it runs on a base of this kind (full fine-tuning runs on both). */
    public boolean appliesTo(BaseKind kind) {
        return base == null || base == kind;
    }

    /** The directory name of its runs ('+' is awkward in paths). */
    String directory() {
        return cliName.replace('+', '-');
    }

    public static List<String> cliNames() {
        return Arrays.stream(values()).map(ComparisonMethod::cliName).toList();
    }

    public static ComparisonMethod of(String key, String name) {
        for (ComparisonMethod m : values()) {
            if (m.cliName.equals(name)) {
                return m;
            }
        }
        throw new ConfigException(key, name, "allowed: " + String.join(", ", cliNames()));
    }
}
