package io.github.qalign.djl.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;

import io.github.qalign.model.SamplingConfig;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Llama-family decoder (Llama 2/3/3.1/3.2, Tulu 3, converted llama2.c models) on DJL's NDArray API: RMSNorm, RoPE
 * in the Hugging Face {@code rotate_half} convention with optional llama3 frequency scaling, grouped-query attention,
 * SwiGLU MLP, tied or untied LM head, and the {@code score} head of {@code LlamaForSequenceClassification}.
 *
 * <p>Source layout: this class (weights and their ownership, the training forward pass, the public API),
 * {@code InferenceWeights} (the re-laid-out inference copy of the weights), {@code CachedForward} (the batched forward
 * pass over a {@link KvCache}), {@link KvCache} (cache operations).
 *
 * <p>Two forward paths:
 * <ul>
 *   <li>{@link #forward(KvCache, int[], int[][], Head)} — inference: appends new tokens of B sequences (each in its
 *       own {@link KvCache} slot, each with its own current length and its own number of new tokens) in ONE batched
 *       pass and returns the head output at each row's last new token. Prefill and decode are the same call.</li>
 *   <li>{@link #forwardHidden(NDArray, int[])} — training: full causal forward without cache and without in-place
 *       operations, so DJL's {@code GradientCollector} can differentiate it.</li>
 * </ul>
 *
 * <p>Weights: built from a {@link LlamaConfig} and a map of Hugging Face tensor names to arrays (linear weights
 * {@code [out, in]}). The model TAKES OWNERSHIP of the arrays it uses (they are moved to its own manager, converted to
 * its device and data type, and closed when fused); arrays in the map it does not use stay the caller's. At load the
 * q/k/v projections are fused into one {@code qkv_proj} weight (with the attention scale {@code 1/sqrt(head_dim)}
 * folded into the q rows) and gate/up into one {@code gate_up_proj} weight, so {@link #parameters()} exposes those
 * fused names.
 *
 * <p>The inference path runs on a second, re-laid-out copy of the weights (built at the first {@link #forward}; RMSNorm
 * weights and RoPE's half swap folded into the linear weights, see {@code InferenceWeights}), which costs one more
 * copy of the weights in memory and cuts the native calls of a decode step roughly in half. An inference-only user
 * calls {@link #releaseTrainingWeights()} (the checkpoint loaders of {@link LlamaLanguageModel} and
 * {@link LlamaRewardModel} do unless {@link LlamaOptions#keepTrainingWeights()}), which builds the inference copy
 * layer by layer, freeing each trainable array once it is converted, so the model holds one copy of its weights.
 *
 * <p>Memory: every inference call runs in its own sub-manager that is closed before returning; only plain Java arrays
 * leave it. The RoPE table covers the longest context actually used ({@link #newCache}'s length, a training
 * sequence), not {@code max_position_embeddings}, which may be huge.
 *
 * <p>Threads: a model and its caches may be shared between threads. Every native operation on the model or on one of
 * its {@link KvCache}s ({@link #forward}, {@link #forwardHidden}, {@link #newCache}, the cache's {@code copyPrefix},
 * {@code truncate}, {@code close}, and {@link #close()}) holds this model's monitor, so concurrent callers are
 * serialized rather than racing inside libtorch (which crashes the JVM); a call on a closed model or cache throws
 * {@link IllegalStateException}. Intra-op parallelism stays PyTorch's (see {@code DjlRuntime}). Callers that need
 * a consistent multi-step view of a cache (e.g. place, then forward, then truncate) synchronize on the model
 * themselves, as {@link LlamaLanguageModel} and {@link LlamaRewardModel} do.
 */
public final class LlamaModel implements AutoCloseable {

    /** Which head {@link #forward} applies at each row's last new token. */
    public enum Head {
        /** The language-model head: logits over the vocabulary. */
        LOGITS,
        /** The sequence-classification {@code score} head: {@code numLabels} values. */
        SCORE,
        /** No head: the final normed hidden state ({@code hidden_size} values). */
        HIDDEN
    }

    // Package-private state read by the two other parts of the model: InferenceWeights (the inference layout of these
    // weights) and CachedForward (the cached, batched forward pass). This class keeps construction and ownership of
    // the trainable weights, the training forward pass, the RoPE table, locking and the public API.
    final LlamaConfig config;
    final NDManager manager;
    private final Device device;
    final DataType dataType;
    final int dim;
    final int heads;
    final int kvHeads;
    final int headDim;
    final int inter;
    final int group;
    final float eps;
    final NDArray embed;
    final NDArray[] attnNorm;
    final NDArray[] wqkv;
    final NDArray[] wo;
    final NDArray[] ffnNorm;
    final NDArray[] wgu;
    final NDArray[] wdown;
    final NDArray finalNorm;
    final NDArray lmHead;
    final NDArray score;
    /**
     * [positions, 2 * headDim]: cos in the first half, the signed sin in the second; sized to the longest context
     * used so far (a cache's length, a training sequence), never to max_position_embeddings, and grown on demand.
     */
    NDArray ropeTable;
    private int ropePositions;
    private final long[] ropeSplit;
    private final NDArray epsArray;
    private final long[] qkvSplit;
    final long[] qkSplit;
    final long[] guSplit;
    private final Map<String, NDArray> parameters;
    private final long parameterCount;
    /** Weights re-laid out for the inference path (built lazily from the parameters; null when stale). */
    private InferenceWeights inference;
    private boolean inferenceStale;
    private boolean inferenceOnly;
    private volatile boolean closed;

    private LlamaModel(LlamaConfig config, Map<String, NDArray> weights, Device device, DataType dataType) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT16, got " + dataType);
        }
        if (config.headDim() % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for RoPE, got " + config.headDim());
        }
        checkJavaArraySizes(config);
        var engine = DjlRuntime.engine();
        this.device = DjlRuntime.checkDevice(device);
        this.dataType = dataType;
        this.manager = engine.newBaseManager(this.device);
        this.dim = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        this.inter = config.intermediateSize();
        this.group = config.groupSize();
        this.eps = (float) config.rmsNormEps();
        int layers = config.numHiddenLayers();
        int vocab = config.vocabSize();
        this.qkvSplit = new long[] {(long) (heads + kvHeads) * headDim};
        this.qkSplit = new long[] {heads};
        this.guSplit = new long[] {inter};
        this.ropeSplit = new long[] {headDim};
        attnNorm = new NDArray[layers];
        wqkv = new NDArray[layers];
        wo = new NDArray[layers];
        ffnNorm = new NDArray[layers];
        wgu = new NDArray[layers];
        wdown = new NDArray[layers];
        Map<String, NDArray> params = new LinkedHashMap<>();
        try {
            embed = own(weights, "model.embed_tokens.weight", vocab, dim);
            params.put("model.embed_tokens.weight", embed);
            float scale = (float) (1.0 / Math.sqrt(headDim));
            for (int i = 0; i < layers; i++) {
                String p = "model.layers." + i + ".";
                attnNorm[i] = own(weights, p + "input_layernorm.weight", dim);
                NDArray q = own(weights, p + "self_attn.q_proj.weight", (long) heads * headDim, dim);
                NDArray k = own(weights, p + "self_attn.k_proj.weight", (long) kvHeads * headDim, dim);
                NDArray v = own(weights, p + "self_attn.v_proj.weight", (long) kvHeads * headDim, dim);
                NDArray qs = q.mul(scale);
                wqkv[i] = NDArrays.concat(new NDList(qs, k, v), 0);
                wqkv[i].attach(manager);
                qs.close();
                q.close();
                k.close();
                v.close();
                wo[i] = own(weights, p + "self_attn.o_proj.weight", dim, (long) heads * headDim);
                ffnNorm[i] = own(weights, p + "post_attention_layernorm.weight", dim);
                NDArray g = own(weights, p + "mlp.gate_proj.weight", inter, dim);
                NDArray u = own(weights, p + "mlp.up_proj.weight", inter, dim);
                wgu[i] = NDArrays.concat(new NDList(g, u), 0);
                wgu[i].attach(manager);
                g.close();
                u.close();
                wdown[i] = own(weights, p + "mlp.down_proj.weight", dim, inter);
                params.put(p + "input_layernorm.weight", attnNorm[i]);
                params.put(p + "self_attn.qkv_proj.weight", wqkv[i]);
                params.put(p + "self_attn.o_proj.weight", wo[i]);
                params.put(p + "post_attention_layernorm.weight", ffnNorm[i]);
                params.put(p + "mlp.gate_up_proj.weight", wgu[i]);
                params.put(p + "mlp.down_proj.weight", wdown[i]);
            }
            finalNorm = own(weights, "model.norm.weight", dim);
            params.put("model.norm.weight", finalNorm);
            if (config.isSequenceClassification()) {
                score = own(weights, "score.weight", config.numLabels(), dim);
                params.put("score.weight", score);
                lmHead = weights.containsKey("lm_head.weight")
                        ? own(weights, "lm_head.weight", vocab, dim) : (config.tieWordEmbeddings() ? embed : null);
            } else {
                score = weights.containsKey("score.weight") ? own(weights, "score.weight", config.numLabels(), dim)
                        : null;
                if (config.tieWordEmbeddings() && !weights.containsKey("lm_head.weight")) {
                    lmHead = embed;
                } else {
                    lmHead = own(weights, "lm_head.weight", vocab, dim);
                }
            }
            if (lmHead != null && lmHead != embed) {
                params.put("lm_head.weight", lmHead);
            }
            if (score != null) {
                params.put("score.weight", score);
            }
            epsArray = manager.create(eps).toType(dataType == DataType.FLOAT16 ? DataType.FLOAT32 : dataType, false);
            epsArray.attach(manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.parameters = Collections.unmodifiableMap(params);
        long count = 0;
        for (NDArray a : params.values()) {
            count += a.size();
        }
        this.parameterCount = count;
    }

    /**
     * The inference re-layout builds each weight matrix in one Java {@code float[]} (int-indexed), so every matrix
     * must have fewer than 2^31 - 8 elements; checked before anything is allocated, naming the tensor.
     */
    private static void checkJavaArraySizes(LlamaConfig c) {
        long d1 = c.hiddenSize() + 1L;
        long qkv = (2L * (c.numAttentionHeads() + c.numKeyValueHeads()) + c.numKeyValueHeads()) * c.headDim();
        long[][] sizes = {
                {c.vocabSize(), d1}, {qkv, d1}, {2L * c.intermediateSize(), d1}, {d1, c.intermediateSize()},
                {d1, (long) c.numAttentionHeads() * c.headDim()}};
        String[] names = {"model.embed_tokens.weight / lm_head.weight", "self_attn.qkv_proj.weight",
                "mlp.gate_up_proj.weight", "mlp.down_proj.weight", "self_attn.o_proj.weight"};
        for (int i = 0; i < sizes.length; i++) {
            long n = sizes[i][0] * sizes[i][1];
            if (n > Integer.MAX_VALUE - 8L) {
                throw new IllegalArgumentException("tensor " + names[i] + " re-laid out for inference would have "
                        + sizes[i][0] + " x " + sizes[i][1] + " = " + n + " elements, more than the 2^31 - 8 a Java "
                        + "array holds; this model is too large for the inference re-layout");
            }
        }
    }

    /**
     * Builds a model from Hugging Face-named weights (see the class comment for ownership).
     *
     * @param config   architecture
     * @param weights  HF tensor name to array
     * @param device   device, or null for the engine default
     * @param dataType {@code FLOAT32} or {@code FLOAT16} (compute and storage type)
     * @return the model
     * @throws IllegalArgumentException naming a missing tensor or a tensor of the wrong shape
     */
    public static LlamaModel create(LlamaConfig config, Map<String, NDArray> weights, Device device,
                                    DataType dataType) {
        return new LlamaModel(config, weights, device, dataType);
    }

    private NDArray own(Map<String, NDArray> weights, String name, long... shape) {
        NDArray a = weights.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing tensor '" + name + "' for " + config.architecture());
        }
        if (!a.getShape().equals(new Shape(shape))) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + a.getShape() + ", expected "
                    + new Shape(shape));
        }
        NDArray b = a.toDevice(device, false);
        NDArray c = b.toType(dataType, false);
        if (c != b && b != a) {
            b.close();
        }
        if (c != a) {
            a.close();
        }
        c.attach(manager);
        return c;
    }

    /**
     * Makes the RoPE table cover positions {@code [0, positions)}: rebuilt (rounded up to a power of two, at most
     * max_position_embeddings) when it is shorter. Entries do not depend on the table's size.
     */
    private void ensureRope(int positions) {
        if (positions <= ropePositions) {
            return;
        }
        int n = (int) Math.min(config.maxPositionEmbeddings(), Math.max(64L, Long.highestOneBit(positions - 1L) << 1));
        n = Math.max(n, positions);
        NDArray t = ropeTable(n);
        if (ropeTable != null) {
            ropeTable.close();
        }
        ropeTable = t;
        ropePositions = n;
    }

    private NDArray ropeTable(int maxPos) {
        int half = headDim / 2;
        int w = 2 * headDim;
        double[] invFreq = ropeInverseFrequencies(config, headDim);
        if ((long) maxPos * w > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a RoPE table of " + maxPos + " positions x " + w
                    + " values exceeds the 2^31-element limit of a Java array; use a shorter context");
        }
        float[] t = new float[maxPos * w];
        for (int pos = 0; pos < maxPos; pos++) {
            for (int j = 0; j < half; j++) {
                double angle = pos * invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                t[pos * w + j] = c;
                t[pos * w + j + half] = c;
                // rotate_half(x) = [-x2, x1]; we multiply the half-swapped [x2, x1] by [-sin, sin].
                t[pos * w + headDim + j] = -s;
                t[pos * w + headDim + j + half] = s;
            }
        }
        NDArray a = manager.create(t, new Shape(maxPos, w)).toType(dataType, false);
        a.attach(manager);
        return a;
    }

    /**
     * RoPE inverse frequencies {@code theta^(-2j/d)}, with the llama3 adjustment when {@code rope_scaling} is set:
     * wavelengths shorter than {@code original_max_position_embeddings / high_freq_factor} are kept, longer than
     * {@code original_max_position_embeddings / low_freq_factor} divided by {@code factor}, and smoothly interpolated
     * between.
     *
     * @param config  the architecture
     * @param headDim per-head width
     * @return {@code headDim / 2} inverse frequencies
     */
    public static double[] ropeInverseFrequencies(LlamaConfig config, int headDim) {
        int half = headDim / 2;
        double[] inv = new double[half];
        LlamaConfig.RopeScaling rs = config.ropeScaling();
        for (int j = 0; j < half; j++) {
            double f = 1.0 / Math.pow(config.ropeTheta(), (2.0 * j) / headDim);
            if (rs != null) {
                double old = rs.originalMaxPositionEmbeddings();
                double lowWavelen = old / rs.lowFreqFactor();
                double highWavelen = old / rs.highFreqFactor();
                double wavelen = 2 * Math.PI / f;
                if (wavelen > lowWavelen) {
                    f = f / rs.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (old / wavelen - rs.lowFreqFactor()) / (rs.highFreqFactor() - rs.lowFreqFactor());
                    f = (1 - smooth) * f / rs.factor() + smooth * f;
                }
            }
            inv[j] = f;
        }
        return inv;
    }

    /**
     * The architecture.
     *
     * @return the architecture
     */
    public LlamaConfig config() {
        return config;
    }

    /**
     * The device the weights live on.
     *
     * @return the device the weights live on
     */
    public Device device() {
        return device;
    }

    /**
     * The compute/storage data type.
     *
     * @return the compute/storage data type
     */
    public DataType dataType() {
        return dataType;
    }

    /**
     * The manager owning the weights (for callers that allocate alongside, e.g. training heads).
     *
     * @return the manager owning the weights (for callers that allocate alongside, e.g. training heads)
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * The trainable arrays by name (HF names, except the fused {@code self_attn.qkv_proj.weight} with the attention
     * scale folded into its q rows and {@code mlp.gate_up_proj.weight}). Call {@code setRequiresGradient(true)} on the
     * ones to train. {@link #forward} runs on re-laid-out copies of these arrays (see the class comment); after
     * modifying them other than in a training loop through {@link #forwardHidden}, call {@link #parametersChanged()}.
     *
     * @return the parameters by name
     */
    public Map<String, NDArray> parameters() {
        checkTrainable("parameters()");
        return parameters;
    }

    /**
     * Whether the model has a language-model head (untied {@code lm_head.weight} or tied embeddings).
     *
     * @return whether the model has a language-model head (untied {@code lm_head.weight} or tied embeddings)
     */
    public boolean hasLmHead() {
        return lmHead != null;
    }

    /**
     * Whether the model has a sequence-classification {@code score} head.
     *
     * @return whether the model has a sequence-classification {@code score} head
     */
    public boolean hasScoreHead() {
        return score != null;
    }

    /**
     * Number of parameters (the tied LM head counted once).
     *
     * @return the number of parameters (the tied LM head counted once)
     */
    public long parameterCount() {
        return parameterCount;
    }

    /**
     * Allocates a KV cache with {@code slots} sequence slots of {@code maxLength} positions each (zero-filled).
     *
     * @param slots     number of sequence slots, &gt; 0
     * @param maxLength positions per slot, in [1, max_position_embeddings]
     * @return the cache (close it when done; it is also closed with the model)
     */
    public synchronized KvCache newCache(int slots, int maxLength) {
        checkOpen();
        if (slots <= 0) {
            throw new IllegalArgumentException("slots must be > 0, got " + slots);
        }
        if (maxLength <= 0 || maxLength > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxLength must be in [1, " + config.maxPositionEmbeddings()
                    + "] (max_position_embeddings), got " + maxLength);
        }
        long bytes = (long) slots * bytesPerSlot(maxLength);
        if ((long) (slots + 1) * kvHeads * maxLength * headDim > Integer.MAX_VALUE - 8L) {
            throw new IllegalArgumentException("a KV cache of " + slots + " slots x " + maxLength
                    + " positions exceeds the 2^31-element limit per layer buffer (" + bytes + " bytes in all)");
        }
        ensureRope(maxLength);
        return new KvCache(this, manager.newSubManager(), config.numHiddenLayers(), slots, maxLength, kvHeads,
                headDim, dataType);
    }

    /**
     * Bytes one cache slot of {@code maxLength} positions takes (keys and values, all layers).
     *
     * @param maxLength positions per slot
     * @return bytes one cache slot of {@code maxLength} positions takes (keys and values, all layers)
     */
    public long bytesPerSlot(int maxLength) {
        return 2L * config.numHiddenLayers() * maxLength * kvHeads * headDim * dataType.getNumOfBytes();
    }

    /**
     * Appends {@code tokens[b]} to the sequence held in cache slot {@code slots[b]} for every row b, in one batched
     * forward pass (rows may have different current lengths and different numbers of new tokens), and returns the
     * head output at each row's last new token.
     *
     * @param cache  the cache holding the sequences
     * @param slots  one distinct slot per row
     * @param tokens the new tokens per row, each non-empty
     * @param head   which head to apply
     * @return {@code [B][V]} logits, {@code [B][numLabels]} scores or {@code [B][hidden]} states (float32)
     * @throws IllegalArgumentException on a bad slot, token id, or a sequence that would exceed the slot length
     */
    public synchronized float[][] forward(KvCache cache, int[] slots, int[][] tokens, Head head) {
        int b = slots.length;
        float[] out = forwardThen(cache, slots, tokens, head,
                res -> res.toType(DataType.FLOAT32, false).toFloatArray());
        int width = out.length / b;
        float[][] rows = new float[b][];
        for (int r = 0; r < b; r++) {
            rows[r] = Arrays.copyOfRange(out, r * width, (r + 1) * width);
        }
        return rows;
    }

    /**
     * Like {@link #forward} with the LM head, but samples the next token of every row on the model's device
     * ({@link DeviceSampler}): only the B chosen ids leave the device, not the B x V logits.
     *
     * @param cache    the cache holding the sequences
     * @param slots    one distinct slot per row
     * @param tokens   the new tokens per row, each non-empty
     * @param config   temperature, top-k, top-p
     * @param uniforms one uniform in [0, 1) per row, from the row's own random stream (unused at temperature 0)
     * @param active   which rows need a token (null = all); the others get -1
     * @return the sampled id per row
     * @throws IllegalArgumentException on a bad slot, token id, or a sequence that would exceed the slot length
     * @throws io.github.qalign.model.ModelException if a row's logits are NaN, +infinity or all -infinity
     */
    public synchronized int[] forwardSample(KvCache cache, int[] slots, int[][] tokens, SamplingConfig config,
                                            double[] uniforms, boolean[] active) {
        return forwardThen(cache, slots, tokens, Head.LOGITS,
                res -> DeviceSampler.sample(res.reshape(slots.length, -1), config, uniforms, active));
    }

    private <R> R forwardThen(KvCache cache, int[] slots, int[][] tokens, Head head, Function<NDArray, R> finish) {
        checkOpen();
        cache.checkUsableBy(this);
        return CachedForward.run(this, cache, slots, tokens, head, finish);
    }

    /**
     * Declares that the arrays of {@link #parameters()} were modified (e.g. by an optimizer step or an in-place load),
     * so the re-laid-out copies the inference path ({@link #forward}) uses are rebuilt before its next call.
     * {@link #forwardHidden} already does this whenever a parameter requires a gradient.
     */
    public synchronized void parametersChanged() {
        checkTrainable("parametersChanged()");
        inferenceStale = true;
    }

    /**
     * Makes this an inference-only model holding one copy of its weights: builds the re-laid-out inference weights
     * (if not built and current) layer by layer, closing each trainable array as soon as it is converted. Afterwards
     * {@link #forward} works as before, while {@link #parameters()}, {@link #forwardHidden}, {@link #logits(NDArray)},
     * {@link #scores(NDArray)} and {@link #parametersChanged()} throw {@link IllegalStateException}. Idempotent.
     */
    public synchronized void releaseTrainingWeights() {
        checkOpen();
        if (inferenceOnly) {
            return;
        }
        if (inference != null && !inferenceStale) {
            for (NDArray a : parameters.values()) {
                a.close();
            }
        } else {
            if (inference != null) {
                inference.mgr.close();
                inference = null;
            }
            inference = new InferenceWeights(this, true);
            inferenceStale = false;
        }
        inferenceOnly = true;
    }

    private void checkTrainable(String what) {
        if (inferenceOnly) {
            throw new IllegalStateException(what + " is not available: this LlamaModel is inference-only (its "
                    + "training weights were released; load with LlamaOptions.keepTrainingWeights(true) to train)");
        }
    }

    synchronized InferenceWeights inferenceWeights() {
        if (inferenceOnly) {
            return inference;
        }
        if (inference != null && inferenceStale) {
            inference.mgr.close();
            inference = null;
        }
        if (inference == null) {
            inference = new InferenceWeights(this, false);
            inferenceStale = false;
        }
        return inference;
    }


    void checkHead(Head head) {
        if (head == Head.LOGITS && lmHead == null) {
            throw new IllegalStateException(config.architecture() + " checkpoint has no LM head (lm_head.weight)");
        }
        if (head == Head.SCORE && score == null) {
            throw new IllegalStateException(config.architecture() + " checkpoint has no score head (score.weight)");
        }
    }

    /**
     * The autograd-friendly full forward: causal self-attention over right-padded sequences, no cache, no in-place
     * operations. All results are attached to {@code tokenIds}' manager (close it, or a scope around it, to free them).
     *
     * @param tokenIds integer ids {@code [B, L]}, right-padded (pad id arbitrary but in the vocabulary)
     * @param lengths  the real length of each row, in [1, L]
     * @return the final normed hidden states {@code [B, L, hidden]} (rows beyond a length are meaningless)
     */
    public synchronized NDArray forwardHidden(NDArray tokenIds, int[] lengths) {
        checkOpen();
        checkTrainable("forwardHidden");
        Shape shape = tokenIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("tokenIds must be [B, L], got " + shape);
        }
        int b = (int) shape.get(0);
        int len = (int) shape.get(1);
        if (lengths.length != b) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for batch " + b);
        }
        if (len > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + len + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        float[] mask = new float[b * len * len];
        for (int r = 0; r < b; r++) {
            if (lengths[r] < 1 || lengths[r] > len) {
                throw new IllegalArgumentException("lengths[" + r + "] = " + lengths[r] + " outside [1, " + len + "]");
            }
            for (int i = 0; i < len; i++) {
                int allowed = Math.min(i, lengths[r] - 1);
                Arrays.fill(mask, (r * len + i) * len + allowed + 1, (r * len + i + 1) * len,
                        Float.NEGATIVE_INFINITY);
            }
        }
        for (NDArray p : parameters.values()) {
            if (p.hasGradient()) {
                // training: the optimizer may update the parameters after this pass
                parametersChanged();
                break;
            }
        }
        ensureRope(len);
        NDManager m = tokenIds.getManager();
        NDArray ids = tokenIds.toType(DataType.INT64, false).reshape((long) b * len);
        NDArray maskArr = m.create(mask, len == 1 ? new Shape(b, 1, 1, 1) : new Shape(b, 1, 1, len, len)).toType(dataType, false);
        NDArray x = embedding(ids, m).reshape(b, len, dim);
        NDList cs = ropeTable.get(m, new NDIndex(":{}", len)).reshape(1, len, 1, 2L * headDim).split(ropeSplit, 3);
        NDArray cos = cs.get(0);
        NDArray sin = cs.get(1);
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            NDArray h = rmsNorm(x, attnNorm[l]);
            NDArray[] qkv = projectQkv(h, l, cos, sin, b, len);
            NDArray kt = qkv[1].transpose(0, 2, 3, 1);
            NDArray vt = qkv[2].reshape(b, len, kvHeads, headDim).transpose(0, 2, 1, 3);
            NDArray att = attention(qkv[0], kt, vt, maskArr, b, len, len);
            x = x.add(linear(att, wo[l]));
            x = x.add(mlp(rmsNorm(x, ffnNorm[l]), l));
        }
        return rmsNorm(x, finalNorm);
    }

    /**
     * The hidden state at each row's last real token.
     *
     * @param hidden  {@code [B, L, hidden]} from {@link #forwardHidden}
     * @param lengths the real lengths
     * @return {@code [B, hidden]}, in {@code hidden}'s manager
     */
    public NDArray lastHidden(NDArray hidden, int[] lengths) {
        Shape s = hidden.getShape();
        int b = (int) s.get(0);
        int len = (int) s.get(1);
        long[] idx = new long[b];
        for (int r = 0; r < b; r++) {
            idx[r] = (long) r * len + lengths[r] - 1;
        }
        NDManager m = hidden.getManager();
        return hidden.reshape((long) b * len, dim).get(new NDIndex("{}", m.create(idx)));
    }

    /**
     * Logits {@code [..., V]} of hidden states (LM head), in {@code hidden}'s manager.
     *
     * @param hidden hidden states {@code [..., hidden]}
     * @return logits {@code [..., V]} of hidden states (LM head), in {@code hidden}'s manager
     */
    public synchronized NDArray logits(NDArray hidden) {
        checkTrainable("logits(hidden)");
        checkHead(Head.LOGITS);
        return linear(hidden, lmHead);
    }

    /**
     * Scores {@code [..., numLabels]} of hidden states (score head), in {@code hidden}'s manager.
     *
     * @param hidden hidden states {@code [..., hidden]}
     * @return scores {@code [..., numLabels]} of hidden states (score head), in {@code hidden}'s manager
     */
    public synchronized NDArray scores(NDArray hidden) {
        checkTrainable("scores(hidden)");
        checkHead(Head.SCORE);
        return linear(hidden, score);
    }

    private NDArray embedding(NDArray ids, NDManager m) {
        NDArray x = embed.get(m, new NDIndex("{}", ids));
        return x;
    }

    /** q [B,N,H,hd], k [B,N,KV,hd], v [B,N,KV*hd] with RoPE applied to q and k. */
    static final int[] SUM_AXIS_2 = {2};

    static PtNDArray pt(NDArray a) {
        return (PtNDArray) a;
    }

    /** Moves a result of a direct {@link JniUtils} call (attached to its input's manager) to {@code m}. */
    static PtNDArray attached(PtNDArray a, NDManager m) {
        a.attach(m);
        return a;
    }

    private NDArray[] projectQkv(NDArray h, int l, NDArray cos, NDArray sin, int b, int n) {
        NDList parts = linear(h, wqkv[l]).split(qkvSplit, 2);
        NDArray qkPart = parts.get(0).reshape(b, n, heads + kvHeads, headDim);
        NDArray swapped = qkPart.reshape(b, n, heads + kvHeads, 2, headDim / 2).flip(3)
                .reshape(b, n, heads + kvHeads, headDim);
        NDList qk = qkPart.mul(cos).add(swapped.mul(sin)).split(qkSplit, 2);
        return new NDArray[] {qk.get(0), qk.get(1), parts.get(1)};
    }

    /** Attention of q [B,N,H,hd] over kT [B,KV,hd,Lk] / v [B,KV,Lk,hd] with mask [B,1,1,N,Lk] ([B,1,1,Lk] when N = 1) → [B,N,H*hd]. */
    NDArray attention(NDArray q, NDArray kT, NDArray v, NDArray mask, int b, int n, int lk) {
        if (n == 1) {
            // decode: [B,1,H,hd] is [B,KV,G,hd] as is; mask [B,1,1,1,Lk] broadcasts as [B,1,1,Lk]
            NDArray qg = q.reshape(b, kvHeads, group, headDim);
            NDArray sc = qg.matMul(kT);
            NDArray p = (mask == null ? sc : sc.add(mask)).softmax(-1);
            return p.matMul(v).reshape(b, 1, (long) heads * headDim);
        }
        NDArray qg = q.reshape(b, n, kvHeads, group, headDim).transpose(0, 2, 3, 1, 4)
                .reshape(b, kvHeads, (long) group * n, headDim);
        NDArray scores = qg.matMul(kT).reshape(b, kvHeads, group, n, lk).add(mask).softmax(-1)
                .reshape(b, kvHeads, (long) group * n, lk);
        return scores.matMul(v).reshape(b, kvHeads, group, n, headDim).transpose(0, 3, 1, 2, 4)
                .reshape(b, n, (long) heads * headDim);
    }

    private NDArray mlp(NDArray h, int l) {
        NDList gu = linear(h, wgu[l]).split(guSplit, h.getShape().dimension() - 1);
        NDArray g = gu.get(0);
        return linear(g.mul(g.getNDArrayInternal().sigmoid()).mul(gu.get(1)), wdown[l]);
    }

    /**
     * RMS normalization of the augmented residual stream {@code [..., D + 1]} up to the factor {@code sqrt(D)} and the
     * norm weight (both folded into the consuming weight): {@code x / sqrt(sum(x^2) + D * eps)} in one native call,
     * since the constant last column contributes exactly {@code D * eps} to the sum of squares.
     */
    NDArray normalize(NDArray x) {
        if (dataType == DataType.FLOAT16) {
            return x.toType(DataType.FLOAT32, false).normalize(2, -1, 0).toType(DataType.FLOAT16, false);
        }
        return x.normalize(2, -1, 0);
    }

    /** {@code residual + x W^T} in one native call (the residual is passed as the linear bias, same shape as the output). */
    static NDArray linearAdd(NDArray x, NDArray w, NDArray residual) {
        return x.getNDArrayInternal().linear(x, w, residual).singletonOrThrow();
    }

    private NDArray rmsNorm(NDArray x, NDArray w) {
        if (dataType == DataType.FLOAT16) {
            NDArray xf = x.toType(DataType.FLOAT32, false);
            NDArray rms = xf.square().mean(new int[] {-1}, true).add(epsArray).sqrt();
            return xf.div(rms).toType(DataType.FLOAT16, false).mul(w);
        }
        NDArray rms = x.square().mean(new int[] {-1}, true).add(epsArray).sqrt();
        return x.div(rms).mul(w);
    }

    static NDArray linear(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LlamaModel is closed");
        }
    }

    /**
     * Frees the weights and every cache created by {@link #newCache}. Waits for a running call to finish; calls after
     * it throw {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
