package io.github.qalign.djl.llama;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.checkpoint.HfCheckpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A {@link LanguageModel} backed by a {@link LlamaModel}, with batched decoding and KV prefix reuse.
 *
 * <p>Each {@link #generate} call derives one child generator per request, in request order
 * ({@code new SplittableRandom(rng.nextLong())}), and draws that request's tokens only from it: the output of a
 * request depends on the seed stream position, not on how requests are batched, so a batch of N requests gives
 * exactly the tokens of N one-request calls with the same generator (up to float rounding of batched vs. single
 * forward passes). Requests run in chunks of up to {@code maxBatch} rows; each chunk is one batched prefill (rows with
 * different cached prefix lengths and different numbers of new tokens) followed by batched one-token decode steps
 * until every row stopped on an eos id (kept as the last token) or the total completion cap.
 *
 * <p>Prefix reuse: the {@link PrefixKvPool} finds, per request, the cached slot sharing the longest prefix with
 * prompt+prefix (the prompt across best-of-n samples; {@code y[0:i]} of a QAlign chain's state across proposals) and
 * computes only the rest. {@link Generation#usage()} reports computed vs. reused input tokens and generated tokens.
 *
 * <p>Not thread-safe for concurrent calls (methods are synchronized).
 */
public final class LlamaLanguageModel implements LanguageModel, AutoCloseable {

    private final LlamaModel model;
    private final ChatCodec codec;
    private final KvCache cache;
    private final PrefixKvPool pool;
    private final int contextLength;
    private final int maxBatch;
    private final boolean ownsModel;
    private TokenUsage total = TokenUsage.ZERO;
    private long forwardCalls;

    /**
     * Wraps a model.
     *
     * @param model     the model (must have an LM head)
     * @param codec     prompt rendering and decoding
     * @param options   batch size, KV pool size, context length
     * @param ownsModel whether {@link #close()} also closes the model
     */
    public LlamaLanguageModel(LlamaModel model, ChatCodec codec, LlamaOptions options, boolean ownsModel) {
        this.model = Objects.requireNonNull(model, "model");
        this.codec = Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(options, "options");
        this.contextLength = options.resolvedContext(model.config().maxPositionEmbeddings());
        int slots = options.resolvedSlots(model.bytesPerSlot(contextLength));
        this.cache = model.newCache(slots, contextLength);
        this.pool = new PrefixKvPool(cache);
        this.maxBatch = Math.min(options.maxBatchSize(), pool.maxBatch());
        this.ownsModel = ownsModel;
    }

    /**
     * Loads a {@code LlamaForCausalLM} Hugging Face checkpoint directory (config.json, generation_config.json,
     * safetensors, tokenizer.json, tokenizer_config.json) through {@link HfCheckpoint}.
     *
     * @param dir     checkpoint directory (e.g. {@code EmbeddedModels.stories260k()})
     * @param options device, data type, batch size, KV pool
     * @return the model (close it)
     */
    public static LlamaLanguageModel load(Path dir, LlamaOptions options) {
        Objects.requireNonNull(options, "options");
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            if (ckpt.config().isSequenceClassification()) {
                throw new IllegalArgumentException(dir + " is a " + ckpt.config().architecture()
                        + " checkpoint; load it with LlamaRewardModel.load");
            }
            LlamaModel model = loadModel(ckpt, options);
            try {
                return new LlamaLanguageModel(model, HfChatCodec.of(ckpt), options, true);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    static LlamaModel loadModel(HfCheckpoint ckpt, LlamaOptions options) {
        var engine = DjlRuntime.engine();
        try (NDManager tmp = options.device() == null ? engine.newBaseManager()
                : engine.newBaseManager(options.device())) {
            Map<String, NDArray> weights = ckpt.loadAll(tmp, options.dataType());
            return LlamaModel.create(ckpt.config(), weights, options.device(), options.dataType());
        }
    }

    /** The underlying model. */
    public LlamaModel model() {
        return model;
    }

    /** The codec. */
    public ChatCodec codec() {
        return codec;
    }

    /** Positions per sequence (prompt + completion limit). */
    public int contextLength() {
        return contextLength;
    }

    /** Rows per forward pass. */
    public int maxBatch() {
        return maxBatch;
    }

    /** The prefix pool (counters). */
    public PrefixKvPool pool() {
        return pool;
    }

    /** Usage summed over every call so far. */
    public synchronized TokenUsage totalUsage() {
        return total;
    }

    /** Number of batched forward passes run so far. */
    public synchronized long forwardCalls() {
        return forwardCalls;
    }

    @Override
    public synchronized Prompt prompt(String text) {
        Objects.requireNonNull(text, "text");
        int[] ids = codec.encodePrompt(text);
        if (ids.length > contextLength) {
            throw new IllegalArgumentException("prompt of " + ids.length + " tokens exceeds the context length "
                    + contextLength);
        }
        return new Prompt(text, TokenIds.of(ids));
    }

    @Override
    public String decode(TokenIds completion) {
        return codec.decode(completion.toArray());
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public synchronized List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config,
                                                  RandomGenerator rng) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(rng, "rng");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests is empty");
        }
        int cap = config.maxCompletionTokens();
        int n = requests.size();
        Generation[] out = new Generation[n];
        RandomGenerator[] rowRng = new RandomGenerator[n];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GenerationRequest r = Objects.requireNonNull(requests.get(i), "request " + i);
            rowRng[i] = new SplittableRandom(rng.nextLong());
            int p = r.prompt().ids().length();
            int k = r.prefix().length();
            if (k > cap) {
                throw new IllegalArgumentException("request " + i + ": prefix of " + k
                        + " tokens exceeds maxCompletionTokens " + cap);
            }
            if ((long) p + cap > contextLength) {
                throw new IllegalArgumentException("request " + i + ": prompt (" + p + " tokens) + maxCompletionTokens ("
                        + cap + ") = " + (p + cap) + " exceeds the context length " + contextLength);
            }
            if (k == cap) {
                out[i] = new Generation(r.prefix(), k, decode(r.prefix()), FinishReason.LENGTH, TokenUsage.ZERO);
            } else {
                todo.add(i);
            }
        }
        for (int from = 0; from < todo.size(); from += maxBatch) {
            runChunk(requests, todo.subList(from, Math.min(todo.size(), from + maxBatch)), config, rowRng, out);
        }
        for (Generation g : out) {
            total = total.plus(g.usage());
        }
        return List.of(out);
    }

    private void runChunk(List<GenerationRequest> requests, List<Integer> rows, SamplingConfig config,
                          RandomGenerator[] rowRng, Generation[] out) {
        int b = rows.size();
        int cap = config.maxCompletionTokens();
        List<int[]> inputs = new ArrayList<>(b);
        int[][] completion = new int[b][];
        int[] length = new int[b];
        int[] prefixLen = new int[b];
        for (int j = 0; j < b; j++) {
            GenerationRequest r = requests.get(rows.get(j));
            inputs.add(r.prompt().ids().concat(r.prefix()).toArray());
            prefixLen[j] = r.prefix().length();
            completion[j] = Arrays.copyOf(r.prefix().toArray(), cap);
            length[j] = prefixLen[j];
        }
        long[] prepass = sharedPromptPrepass(requests, rows);
        List<PrefixKvPool.Placement> placed = pool.place(inputs);
        int[] slots = new int[b];
        int[][] tails = new int[b][];
        long[] computed = new long[b];
        long[] reused = new long[b];
        for (int j = 0; j < b; j++) {
            PrefixKvPool.Placement pl = placed.get(j);
            slots[j] = pl.slot();
            int[] in = inputs.get(j);
            tails[j] = Arrays.copyOfRange(in, pl.reused(), in.length);
            computed[j] = in.length - pl.reused() + prepass[j];
            reused[j] = pl.reused() - prepass[j];
        }
        float[][] logits = model.forward(cache, slots, tails, LlamaModel.Head.LOGITS);
        forwardCalls++;
        int[] active = new int[b];
        for (int j = 0; j < b; j++) {
            active[j] = j;
        }
        int nActive = b;
        while (nActive > 0) {
            int[] nextSlots = new int[nActive];
            int[][] nextTokens = new int[nActive][];
            int m = 0;
            for (int a = 0; a < nActive; a++) {
                int j = active[a];
                int tok = TokenSampler.sample(logits[a], config, rowRng[rows.get(j)]);
                completion[j][length[j]++] = tok;
                FinishReason reason = model.config().isEos(tok) ? FinishReason.EOS
                        : length[j] >= cap ? FinishReason.LENGTH : null;
                if (reason != null) {
                    TokenIds ids = TokenIds.of(completion[j], 0, length[j]);
                    out[rows.get(j)] = new Generation(ids, prefixLen[j], decode(ids), reason,
                            new TokenUsage(computed[j], reused[j], length[j] - prefixLen[j]));
                    pool.touch(slots[j]);
                } else {
                    active[m] = j;
                    nextSlots[m] = slots[j];
                    nextTokens[m] = new int[] {tok};
                    m++;
                }
            }
            nActive = m;
            if (nActive > 0) {
                logits = model.forward(cache, Arrays.copyOf(nextSlots, m), Arrays.copyOf(nextTokens, m),
                        LlamaModel.Head.LOGITS);
                forwardCalls++;
            }
        }
    }

    /**
     * When several rows of a chunk share a prompt that is not cached yet (best-of-n, fresh chains), computes that
     * prompt once (all but its last token, which every row recomputes for its own logits) so the rows copy it instead
     * of each computing it. Returns, per row, the prepass tokens attributed to it (all to the first row of a prompt).
     */
    private long[] sharedPromptPrepass(List<GenerationRequest> requests, List<Integer> rows) {
        long[] attributed = new long[rows.size()];
        java.util.Map<TokenIds, List<Integer>> byPrompt = new java.util.LinkedHashMap<>();
        for (int j = 0; j < rows.size(); j++) {
            byPrompt.computeIfAbsent(requests.get(rows.get(j)).prompt().ids(), k -> new ArrayList<>()).add(j);
        }
        List<int[]> pre = new ArrayList<>();
        List<Integer> firstRow = new ArrayList<>();
        for (var e : byPrompt.entrySet()) {
            int[] ids = e.getKey().toArray();
            if (e.getValue().size() < 2 || ids.length < 2) {
                continue;
            }
            int[] head = Arrays.copyOf(ids, ids.length - 1);
            int best = 0;
            for (int s = 0; s < cache.slots(); s++) {
                best = Math.max(best, cache.commonPrefix(s, head));
            }
            if (best < head.length) {
                pre.add(head);
                firstRow.add(e.getValue().get(0));
            }
        }
        if (pre.isEmpty()) {
            return attributed;
        }
        for (int from = 0; from < pre.size(); from += maxBatch) {
            List<int[]> chunk = pre.subList(from, Math.min(pre.size(), from + maxBatch));
            List<PrefixKvPool.Placement> placed = pool.place(chunk);
            int[] slots = new int[chunk.size()];
            int[][] tails = new int[chunk.size()][];
            for (int i = 0; i < chunk.size(); i++) {
                slots[i] = placed.get(i).slot();
                tails[i] = Arrays.copyOfRange(chunk.get(i), placed.get(i).reused(), chunk.get(i).length);
                attributed[firstRow.get(from + i)] = tails[i].length;
            }
            model.forward(cache, slots, tails, LlamaModel.Head.HIDDEN);
            forwardCalls++;
        }
        return attributed;
    }

    /** Frees the KV pool (and the model if owned). */
    @Override
    public synchronized void close() {
        cache.close();
        if (codec instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the codec failed", e);
            }
        }
        if (ownsModel) {
            model.close();
        }
    }
}
