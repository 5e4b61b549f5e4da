package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Objects;

/**
 * How a bank is parameterised and stored (spec section 5), the {@code membank.bank} block.
 * {@code kind}: {@code dense} M [N, d], {@code factorized} M = A·Bᵀ with A [N, r] and B [d, r], or
 * {@code reduced} M [N, r] read by key/value projections that take r inputs. {@code quant}: null
 * (float), {@code int8} (one scale per row) or {@code int4} (two codes per byte, one scale per
 * {@code groupSize} values of a row); training keeps a float copy, checkpoints hold the codes. The
 * checks that need the model's width d are made by {@link Builder#build(int)}.
 */
public record BankConfig(Kind kind, Integer rank, Quant quant, Integer groupSize) {
    static final String PATH = "membank.bank";
    public static final int DEFAULT_GROUP_SIZE = 32;

    public enum Kind {
        DENSE, FACTORIZED, REDUCED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Quant {
        INT8, INT4;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public BankConfig {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.DENSE && rank != null) {
            throw new ConfigException(PATH + ".rank", rank, "must be null for a dense bank (a rank belongs to kind"
                    + " factorized or reduced)");
        }
        if (kind != Kind.DENSE && (rank == null || rank < 1)) {
            throw new ConfigException(PATH + ".rank", rank, "a " + kind + " bank needs a rank >= 1");
        }
        if (kind == Kind.FACTORIZED && quant != null) {
            throw new ConfigException(PATH + ".quant", quant.toString(), "a factorized bank is not quantised in this"
                    + " version (allowed with kind dense or reduced; must be null here)");
        }
        if (quant != Quant.INT4 && groupSize != null) {
            throw new ConfigException(PATH + ".group_size", groupSize, "must be null unless quant is int4 (int8 has one"
                    + " scale per row)");
        }
        if (quant == Quant.INT4 && (groupSize == null || groupSize < 2 || groupSize % 2 != 0)) {
            throw new ConfigException(PATH + ".group_size", groupSize, "must be an even number (two int4 codes per byte)");
        }
    }

    public static BankConfig dense() {
        return new BankConfig(Kind.DENSE, null, null, null);
    }

    public boolean isFactorized() {
        return kind == Kind.FACTORIZED;
    }

    public boolean isQuantised() {
        return quant != null;
    }

    /** Width of the memory tokens that the key/value projections read: r for a reduced bank, else d. */
    public long tokenWidth(long hidden) {
        return kind == Kind.REDUCED ? rank : hidden;
    }

    /** Width of the rows the bank keeps per memory token: d for dense, r for factorized (A) and reduced. */
    public long rowWidth(long hidden) {
        return kind == Kind.DENSE ? hidden : rank;
    }

    /** Values sharing one scale: a whole row for int8, {@code groupSize} for int4. */
    public long quantGroup(long hidden) {
        return quant == Quant.INT4 ? groupSize : rowWidth(hidden);
    }

    public Builder toBuilder() {
        return new Builder().kind(kind).rank(rank).quant(quant).groupSize(groupSize);
    }

    /** The block's keys with their defaults: a dense float bank; {@code group_size} 32 with int4. */
    public static final class Builder {
        @JsonProperty("kind")
        private Kind kind = Kind.DENSE;
        @JsonProperty("rank")
        private Integer rank;
        @JsonProperty("quant")
        private Quant quant;
        @JsonProperty("group_size")
        private Integer groupSize;

        public Builder kind(Kind value) {
            kind = value;
            return this;
        }

        public Builder rank(Integer value) {
            rank = value;
            return this;
        }

        public Builder quant(Quant value) {
            quant = value;
            return this;
        }

        public Builder groupSize(Integer value) {
            groupSize = value;
            return this;
        }

        /** The bank as set, without the checks against the model's width. */
        public BankConfig build() {
            return new BankConfig(kind, rank, quant, groupSize());
        }

        /** The int4 group size, its default when unset. */
        private Integer groupSize() {
            return quant == Quant.INT4 && groupSize == null ? Integer.valueOf(DEFAULT_GROUP_SIZE) : groupSize;
        }

        /** The bank of a model of width {@code hidden}: the rank must fit in d and int4 groups must tile a row. */
        public BankConfig build(int hidden) {
            if (kind != Kind.DENSE && rank == null) {
                throw new ConfigException("config key '" + PATH + ".rank' is missing: a " + kind + " bank needs a rank,"
                        + " an integer in [1, " + hidden + "] (hidden_size)");
            }
            if (kind != Kind.DENSE && (rank < 1 || rank > hidden)) {
                throw new ConfigException(PATH + ".rank", rank, "must be in [1, " + hidden + "] (hidden_size)");
            }
            Integer group = groupSize();
            long row = kind == Kind.DENSE ? hidden : rank;
            if (quant == Quant.INT4 && (group < 2 || group % 2 != 0 || row % group != 0)) {
                throw new ConfigException(PATH + ".group_size", group, "must be an even number that divides the bank row"
                        + " width " + row + " (hidden_size for a dense bank, rank otherwise)");
            }
            return build();
        }
    }
}
