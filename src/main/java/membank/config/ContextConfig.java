package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Objects;

/**
 * The {@code membank.context} block: a context bank (spec section 7) that the memory layers read
 * beside the memory bank. A read segment of L tokens is compressed into ceil(L / ratio) latent
 * vectors of width d by a VAE-style encoder. Defaults: {@link Builder}.
 *
 * @param ratio tokens per latent vector (the compression ratio L : L_c)
 * @param klBeta weight of the KL term in the encoder's loss (reconstruction + beta * KL)
 * @param reconWeight weight of the encoder's loss in the training objective, beside the LM loss
 * @param kv {@code shared}: the context is read with the memory attention's own K/V projections;
 *        {@code own}: with separate {@code context_k_proj} / {@code context_v_proj}
 * @param readLimit most context vectors one input reads at inference (retrieval's top-k)
 */
public record ContextConfig(int ratio, double klBeta, double reconWeight, Kv kv, int readLimit) {
    static final String PATH = "membank.context";

    /** Which K/V projections read context vectors. */
    public enum Kv {
        SHARED, OWN;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ContextConfig {
        Require.positive(PATH + ".ratio", ratio);
        Require.nonNegative(PATH + ".kl_beta", klBeta);
        Require.nonNegative(PATH + ".recon_weight", reconWeight);
        Objects.requireNonNull(kv, "kv");
        Require.positive(PATH + ".read_limit", readLimit);
    }

    public static ContextConfig defaults() {
        return new Builder().build();
    }

    public boolean ownKv() {
        return kv == Kv.OWN;
    }

    /** Latent vectors a segment of {@code tokens} tokens is compressed to. */
    public int latents(int tokens) {
        return (tokens + ratio - 1) / ratio;
    }

    /** Shared K/V projections read d-wide vectors, so they cannot serve a bank whose tokens are narrower. */
    void checkBank(BankConfig bank, int hidden) {
        if (kv == Kv.SHARED && bank.tokenWidth(hidden) != hidden) {
            throw new ConfigException(PATH + ".kv", kv.toString(), "cannot share K/V projections with a reduced bank: its"
                    + " projections read " + bank.tokenWidth(hidden) + "-wide tokens and context vectors are "
                    + hidden + " wide; set membank.context.kv=own");
        }
    }

    public Builder toBuilder() {
        return new Builder().ratio(ratio).klBeta(klBeta).reconWeight(reconWeight).kv(kv).readLimit(readLimit);
    }

    /** The block's keys with their defaults. */
    public static final class Builder {
        @JsonProperty("ratio")
        private int ratio = 16;
        @JsonProperty("kl_beta")
        private double klBeta = 0.01;
        @JsonProperty("recon_weight")
        private double reconWeight = 1.0;
        @JsonProperty("kv")
        private Kv kv = Kv.SHARED;
        @JsonProperty("read_limit")
        private int readLimit = 256;

        public Builder ratio(int value) {
            ratio = value;
            return this;
        }

        public Builder klBeta(double value) {
            klBeta = value;
            return this;
        }

        public Builder reconWeight(double value) {
            reconWeight = value;
            return this;
        }

        public Builder kv(Kv value) {
            kv = value;
            return this;
        }

        public Builder readLimit(int value) {
            readLimit = value;
            return this;
        }

        public ContextConfig build() {
            return new ContextConfig(ratio, klBeta, reconWeight, kv, readLimit);
        }
    }
}
