package membank.config;

/**
 * The {@code membank.context} block: a context bank (spec section 7) that the memory layers read
 * beside the memory bank. A read segment of L tokens is compressed into ceil(L / ratio) latent
 * vectors of width d by a VAE-style encoder.
 *
 * @param ratio tokens per latent vector (the compression ratio L : L_c)
 * @param klBeta weight of the KL term in the encoder's loss (reconstruction + beta * KL)
 * @param reconWeight weight of the encoder's loss in the training objective, beside the LM loss
 * @param kv {@code shared}: the context is read with the memory attention's own K/V projections;
 *        {@code own}: with separate {@code context_k_proj} / {@code context_v_proj}
 * @param readLimit most context vectors one input reads at inference (retrieval's top-k)
 */
public record ContextConfig(int ratio, double klBeta, double reconWeight, String kv, int readLimit) {
    public static final String SHARED_KV = "shared";
    public static final String OWN_KV = "own";

    public boolean ownKv() {
        return OWN_KV.equals(kv);
    }

    /** Latent vectors a segment of {@code tokens} tokens is compressed to. */
    public int latents(int tokens) {
        return (tokens + ratio - 1) / ratio;
    }
}
