package membank.config;

/**
 * The base transformer's configuration, with the Hugging Face config.json names (snake_case there,
 * camelCase here), plus the optional memory block. Instances come from {@link ConfigJson}, which
 * validates them; {@code headDim} is always resolved (explicit or hidden/heads).
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        String torchDtype,
        Integer bosTokenId,
        Integer eosTokenId,
        MemoryConfig membank) {

    public boolean hasMemory() {
        return membank != null;
    }

    public boolean isMemoryLayer(int layer) {
        return membank != null && membank.layers().contains(layer);
    }

    /** The same model for another tokenizer: its embedding size and its BOS/EOS ids. */
    public ModelConfig withTokenizer(int size, Integer bos, Integer eos) {
        return new ModelConfig(modelType, size, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
                maxPositionEmbeddings, tieWordEmbeddings, attentionBias, torchDtype, bos,
                eos, membank);
    }

    public ModelConfig withMembank(MemoryConfig memory) {
        return new ModelConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
                maxPositionEmbeddings, tieWordEmbeddings, attentionBias, torchDtype, bosTokenId,
                eosTokenId, memory);
    }
}
