package membank.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import membank.config.ContextConfig;
import membank.config.LoraConfig;
import membank.config.ModelConfig;
import membank.config.RoutingMode;
import membank.data.TokenBatch;
import membank.memory.BankForm;
import membank.memory.BankRows;
import membank.memory.ContextDecoder;
import membank.memory.ContextEncoder;
import membank.memory.ContextLatents;
import membank.memory.ContextRead;
import membank.memory.MemoryBank;
import membank.memory.MemoryKv;
import membank.memory.MemoryRead;
import membank.memory.ReadStrategy;
import membank.memory.RouterState;
import membank.memory.RoutingTrace;
import membank.nn.KvCache;
import membank.nn.Embedding;
import membank.nn.Layers;
import membank.nn.Linear;
import membank.nn.Ops;
import membank.nn.Projection;
import membank.nn.RmsNorm;
import membank.nn.Rope;
import membank.nn.Scope;

/**
 * A Qwen2/Llama decoder whose memory layers read learnable banks (spec sections 1, 4, 6).
 * Parameters are registered under the Hugging Face names of spec/checkpoint-format.md.
 */
public final class MemoryLM extends Module {
    /** Name prefix of the banks' tensors; bank b's are under {@code BANKS + b + "."}. */
    public static final String BANKS = "model.memory.banks.";

    private final ModelConfig config;
    private final Embedding embed;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final List<MemoryBank> banks = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;
    private final Rope rope;
    /** The context bank's encoder and its training-only decoder (spec section 7), or null. */
    private final ContextEncoder contextEncoder;
    private final ContextDecoder contextDecoder;
    /**
     * Container modules are kept reachable: libtorch calls back into Java peers of modules
     * (e.g. in train()), and a collected peer would turn that call into a NullPointerException.
     */
    private final List<Module> containers = new ArrayList<>();
    /** What each part of the model is, as it was registered (the optimizer groups parameters by it). */
    private final ParameterRoles roles = new ParameterRoles();
    /** Routing of chaptered layers outside training; null means the config's {@code routing}. */
    private RoutingMode inferenceRouting;

    /** Routed reads give each bank a sparse gradient of the rows they read (training.bank_update rows_read). */
    public void useSparseBankGradients() {
        banks.forEach(MemoryBank::useSparseGradients);
    }

    /**
     * Reads every routed layer's bank whole in training, never recomputed in chunks during
     * backward: data-parallel training needs it, since DDP's Reducer expects each parameter's
     * gradient once per backward, and recomputed chunks deliver the bank's later.
     */
    public void readBanksWithoutRecomputation() {
        layers.forEach(layer -> {
            if (layer.hasMemory() && layer.memoryAttention().isRouted()) {
                layer.memoryAttention().setReadChunks(1);
            }
        });
    }

    /**
     * How every memory layer computes its read: {@link ReadStrategy#REFERENCE} follows the spec's
     * loops (slow: what the fast paths are tested against), {@link ReadStrategy#AUTO} the fast paths.
     */
    public void setReadStrategy(ReadStrategy strategy) {
        layers.forEach(layer -> {
            if (layer.hasMemory()) {
                layer.memoryAttention().setReadStrategy(strategy);
            }
        });
    }

    /** A model to train: quantised banks train a float copy (and are quantised when saved). */
    public MemoryLM(ModelConfig config) {
        this(config, BankForm.TRAINABLE);
    }

    /** @param form how quantised banks are held: a float copy to train, or their codes (inference) */
    public MemoryLM(ModelConfig config, BankForm form) {
        this.config = config;
        Module model = container(this, "model");
        roles.tag("model", ParameterRole.BACKBONE);
        embed = Embedding.register(model, "embed_tokens", Layers.embedding(config.vocabSize(), config.hiddenSize()));
        Module layerList = container(model, "layers");
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            DecoderLayer layer = layerList.register_module(Integer.toString(i), new DecoderLayer(config, i));
            for (String part : layer.memoryParts()) {
                roles.tag("model.layers." + i + "." + part, ParameterRole.MEMORY_LAYER);
            }
            layers.add(layer);
        }
        norm = model.register_module("norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        if (config.hasMemory()) {
            Module bankList = container(container(model, "memory"), "banks");
            roles.tag("model.memory.banks", ParameterRole.BANK);
            for (int b = 0; b < config.membank().numBanks(); b++) {
                banks.add(bankList.register_module(Integer.toString(b),
                        new MemoryBank(config.membank().bank(), config.membank().numTokens(), config.hiddenSize(), form)));
            }
        }
        ContextConfig context = config.hasMemory() ? config.membank().context() : null;
        contextEncoder = context == null ? null : model.register_module("context_encoder",
                new ContextEncoder(config.hiddenSize(), context.ratio(), encoderHeads(config), config.rmsNormEps()));
        contextDecoder = context == null ? null : model.register_module("context_decoder",
                new ContextDecoder(config.hiddenSize(), context.ratio(), config.rmsNormEps()));
        // the context bank's encoder and decoder serve the memory side
        roles.tag("model.context_encoder", ParameterRole.MEMORY_LAYER);
        roles.tag("model.context_decoder", ParameterRole.MEMORY_LAYER);
        lmHead = config.tieWordEmbeddings() ? null
                : Linear.register(this, "lm_head", Layers.linear(config.hiddenSize(), config.vocabSize(), false));
        roles.tag("lm_head", ParameterRole.BACKBONE);
        rope = new Rope(config.headDim(), config.ropeTheta(), config.maxPositionEmbeddings());
    }

    /** The model's attention heads when they divide its width, else one. */
    private static long encoderHeads(ModelConfig c) {
        return c.hiddenSize() % c.numAttentionHeads() == 0 ? c.numAttentionHeads() : 1;
    }

    private Module container(Module parent, String name) {
        Module child = parent.register_module(name, new Module());
        containers.add(child);
        return child;
    }

    public ModelConfig config() {
        return config;
    }

    /** Logits [B, L, V] in float32 for token ids [B, L]: {@code forward(ids, ForwardPass.PLAIN)}. */
    public Tensor forward(Tensor ids) {
        return forward(ids, ForwardPass.PLAIN);
    }

    /**
     * Logits [B, L, V] in float32 for token ids [B, L], read as {@code pass} says (padding, a
     * decode state to extend, a routing override, a trace, context vectors).
     */
    public Tensor forward(Tensor ids, ForwardPass pass) {
        return logits(layerStates(ids, pass)[1]);
    }

    /** Mean next-token cross-entropy of logits over targets [B, L]; TokenBatch.IGNORE_INDEX targets don't count. */
    public Tensor loss(Tensor ids, Tensor targets) {
        return crossEntropy(forward(ids), targets);
    }

    /**
     * The training objective: the LM loss plus the router losses of chaptered layers, weighted by
     * {@code membank.router_losses}; the trace holds the decisions for logging.
     */
    public TrainingLoss trainingLoss(Tensor ids, Tensor targets) {
        return trainingLoss(ids, targets, new RoutingTrace());
    }

    /** {@link #trainingLoss(Tensor, Tensor)} recording into {@code trace} (whose load balance may span ranks). */
    public TrainingLoss trainingLoss(Tensor ids, Tensor targets, RoutingTrace trace) {
        Tensor lm = crossEntropy(forward(ids, ForwardPass.PLAIN.withTrace(trace)), targets);
        Tensor aux = config.hasMemory() ? trace.auxLoss(config.membank().routerLosses()) : null;
        return new TrainingLoss(aux == null ? lm : lm.add(aux), lm, trace);
    }

    /** Mean next-token cross-entropy of logits [B, L, V] over targets [B, L], TokenBatch.IGNORE_INDEX excluded. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        long vocab = logits.size(-1);
        return Ops.crossEntropy(logits.view(-1, vocab), Ops.on(targets, logits).reshape(-1), TokenBatch.IGNORE_INDEX);
    }

    /** Final hidden states [B, L] -> [B, L, d] (after the last norm) of a forward pass. */
    public Tensor hidden(Tensor ids, ForwardPass pass) {
        return layerStates(ids, pass)[1];
    }

    /** {h after the first layer, final hidden states after the last norm}. */
    private Tensor[] layerStates(Tensor ids, ForwardPass pass) {
        if (pass.context() != null && !config.hasMemory()) {
            throw new IllegalStateException("this model has no memory layers to read a context bank with");
        }
        // inputs come from the CPU (token ids, masks); the model may live on another device
        ids = Ops.on(ids, embed.weight());
        Tensor valid = pass.valid() == null ? null : Ops.on(pass.valid(), embed.weight());
        Tensor h = embed.forward(ids);
        Tensor first = null;
        RoutingMode routing = routing();
        for (int i = 0; i < layers.size(); i++) {
            DecoderLayer layer = layers.get(i);
            MemoryRead memory = pass.memory(i, bankOf(i), routing, valid);
            KvCache cache = pass.cache(i);
            Tensor in = h;
            int index = i;
            // a layer that keeps no tensor it makes, but what it records, frees its temporaries when it
            // returns rather than when the step ends (docs/benchmarks.md: a third less peak memory)
            h = layer.keepsNoTensors(cache, memory, ids.size(1))
                    ? Scope.freeingTemporaries(() -> layer.forward(in, rope, null, memory), () -> recordedBy(pass, index))
                    : layer.forward(h, rope, cache, memory);
            if (i == 0) {
                first = h;
            }
        }
        return new Tensor[] {first, norm.forward(h)};
    }

    /** The tensors layer {@code layer} recorded into the pass's trace. */
    private static List<Tensor> recordedBy(ForwardPass pass, int layer) {
        return pass.trace() == null ? List.of() : pass.trace().tensorsOf(layer);
    }

    public boolean hasContextEncoder() {
        return contextEncoder != null;
    }

    /**
     * What the context encoder reads of a segment (spec section 7): [E1; E_last] [B, L, 2d], the
     * residual stream after the first layer and the final hidden states, each RMS-normalised
     * without a weight so both halves have unit scale. Computed without gradient: the encoder
     * learns to compress the model's reading, it does not change it.
     */
    public Tensor readingOf(Tensor ids, Tensor valid) {
        try (Scope ignored = Scope.noGrad()) {
            Tensor[] states = layerStates(ids, ForwardPass.PLAIN.withValid(valid));
            return Ops.cat(unitRms(states[0]), unitRms(states[1]), -1).to(ScalarType.Float);
        }
    }

    private Tensor unitRms(Tensor x) {
        Tensor x32 = x.to(ScalarType.Float);
        return x32.mul(Ops.plus(Ops.meanLast(x32.mul(x32)), config.rmsNormEps()).rsqrt());
    }

    /** Latents of segments [B, L] ({@code valid} marks real tokens, or null). */
    public ContextLatents compress(Tensor ids, Tensor valid) {
        return requireEncoder().forward(readingOf(ids, valid), valid);
    }

    /**
     * The encoder's own loss: reconstruction of its input from {@code latents} (a sample in
     * training) plus {@code kl_beta} times the KL term.
     */
    public Tensor contextLoss(ContextLatents of, Tensor latents) {
        double beta = config.membank().context().klBeta();
        return contextDecoder.reconstructionLoss(latents, of).add(Ops.times(of.kl(), beta));
    }

    private ContextEncoder requireEncoder() {
        if (contextEncoder == null) {
            throw new IllegalStateException("this model has no context encoder: its config.json has no"
                    + " membank.context block (add one with `membank context train`)");
        }
        return contextEncoder;
    }

    /** The routing chaptered layers use now: the config's in training, else the inference override. */
    public RoutingMode routing() {
        var chapters = config.hasMemory() ? config.membank().chapters() : null;
        if (chapters == null) {
            return null;
        }
        RoutingMode trained = chapters.routing();
        return is_training() || inferenceRouting == null ? trained : inferenceRouting;
    }

    /**
     * Routes chaptered layers with {@code mode} outside training (eval, score, generate), e.g. a
     * model trained with {@code prefix} routing read with {@code token}; null restores the config's.
     */
    public void setInferenceRouting(RoutingMode mode) {
        this.inferenceRouting = mode;
    }

    public boolean isRouted() {
        return config.hasMemory() && config.membank().chapters() != null;
    }

    public Tensor logits(Tensor hidden) {
        Tensor out = lmHead != null ? lmHead.forward(hidden) : Ops.linear(hidden, embed.weight());
        return out.to(ScalarType.Float);
    }

    /**
     * A fresh decode state for {@code batch} sequences of at most {@code maxLength} tokens. Dense
     * banks' keys and values are projected here, once, without gradient: every step reads all of
     * them. Routed banks are not: a step reads k chapters, which costs less in bank space than
     * projecting the whole bank would up front (30 s for 65K tokens in six Qwen2.5-0.5B layers).
     */
    public DecodeState newDecodeState(long batch, long maxLength) {
        return newDecodeState(batch, maxLength, null);
    }

    /** A fresh decode state whose every step also reads {@code context} (null: none). */
    public DecodeState newDecodeState(long batch, long maxLength, ContextRead context) {
        List<KvCache> caches = new ArrayList<>();
        List<MemoryKv> bankKv = new ArrayList<>();
        List<RouterState> routers = new ArrayList<>();
        var options = embed.weight().options();
        try (Scope ignored = Scope.noGrad()) {
            for (int i = 0; i < layers.size(); i++) {
                DecoderLayer layer = layers.get(i);
                caches.add(layer.selfAttention().newCache(batch, maxLength, options));
                bankKv.add(layer.hasMemory() && !layer.memoryAttention().isRouted()
                        ? layer.memoryAttention().project(bankOf(i)) : null);
                routers.add(layer.hasMemory() && layer.memoryAttention().isRouted()
                        ? new RouterState(batch, config.hiddenSize(), embed.weight()) : null);
            }
        }
        return new DecodeState(caches, bankKv, routers, context);
    }

    /** Where the model's weights are (module.to moves them all together): what its inputs and caches follow. */
    public Device device() {
        return embed.weight().device();
    }

    /** The role of parameter {@code name}, from the part of the model it was registered in. */
    public ParameterRole role(String name) {
        return roles.of(name);
    }

    /** Parameters by their Hugging Face names, in registration order. */
    public Map<String, Tensor> namedParameters() {
        return Layers.namedParameters(this);
    }

    /** Parameters and the codes of banks held quantised, by name: what loading a checkpoint fills. */
    public Map<String, Tensor> namedTensors() {
        Map<String, Tensor> out = namedParameters();
        out.putAll(Layers.namedBuffers(this));
        return out;
    }

    /**
     * The tensors a checkpoint stores for this model: its parameters, with each quantised bank as
     * its int codes and scales (quantised now from the float copy when the bank trains one).
     */
    public Map<String, Tensor> storedTensors() {
        return BankTensors.stored(this, banks);
    }

    /** A checkpoint's tensors as {@link #namedTensors()} takes them (see {@link BankTensors#loadable}). */
    Map<String, Tensor> loadable(Map<String, Tensor> stored, Path file) {
        return BankTensors.loadable(banks, config.membank(), stored, file);
    }

    /**
     * Adds a LoRA update to every base linear layer whose name is one of the config's targets
     * (memory layers are not targeted: they are trained whole when present).
     */
    public void addLora(LoraConfig lora) {
        forEachBaseProjection((name, p) -> {
            if (lora.targetModules().contains(name.substring(name.lastIndexOf('.') + 1))) {
                p.addLora(lora.r(), lora.alpha(), lora.dropout());
            }
        });
    }

    /** The weights of layers with a LoRA update, the update folded in, by their Hugging Face names. */
    public Map<String, Tensor> mergedLoraWeights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        forEachBaseProjection((name, p) -> {
            if (p.hasLora()) {
                out.put(name + ".weight", p.mergedWeight());
            }
        });
        return out;
    }

    private void forEachBaseProjection(BiConsumer<String, Projection> action) {
        for (int i = 0; i < layers.size(); i++) {
            String prefix = "model.layers." + i + ".";
            layers.get(i).baseProjections().forEach((name, p) -> action.accept(prefix + name, p));
        }
    }

    public int numBanks() {
        return banks.size();
    }

    /** Bank {@code b} (0-based, in the order of {@code model.memory.banks.b}). */
    public MemoryBank bank(int b) {
        return banks.get(b);
    }

    private BankRows bankOf(int layer) {
        return config.isMemoryLayer(layer) ? banks.get(config.membank().bankIndex(layer)).rows() : null;
    }
}
