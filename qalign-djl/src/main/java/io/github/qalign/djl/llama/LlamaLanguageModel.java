package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import io.github.qalign.tokenizer.ChatCodec;
import io.github.qalign.tokenizer.HfChatCodec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A {@link LanguageModel} backed by a {@link LlamaModel}, with batched decoding and KV prefix reuse.
 *
 * <p>Each request's tokens are drawn only from its own stream ({@link GenerationRequest#newRandom()}): the output of
 * a request depends on its seed, not on how requests are batched, so a batch of N requests gives exactly the tokens
 * of N one-request calls with the same seeds (up to float rounding of batched vs. single forward passes). Requests run in chunks of up to {@code maxBatch} rows; each chunk is one batched prefill (rows with
 * different cached prefix lengths and different numbers of new tokens) followed by batched one-token decode steps
 * until every row stopped on an eos id (kept as the last token) or the total completion cap.
 *
 * <p>Sampling: each decode step samples the next token of every running row either in Java ({@link TokenSampler} on
 * logits copied to the heap) or on the model's device ({@link DeviceSampler} via {@link LlamaModel#forwardSample}, only
 * the ids copied out), as {@link LlamaOptions#samplesOnDevice} decides; both consume one {@code nextDouble()} of the
 * row's stream per sampled token (none when greedy) and draw from the same distribution.
 *
 * <p>Prefix reuse: the {@link PrefixKvPool} finds, per request, the cached slot sharing the longest prefix with
 * prompt+prefix (the prompt across best-of-n samples; {@code y[0:i]} of a QAlign chain's state across proposals) and
 * computes only the rest; prefixes shared by several requests of one call but not cached yet are computed once
 * first ({@link PrefixKvPool#prefillSharedPrefixes}). {@link Generation#usage()} reports computed vs. reused input tokens and generated tokens.
 *
 * <p>Threads: safe to share. Calls are serialized (the methods are synchronized, and every native operation holds
 * the {@link LlamaModel}'s monitor), so concurrent callers never race inside libtorch; closing while another thread
 * generates makes that call fail with {@link IllegalStateException}. Concurrent sampler runs on one shared model give
 * the tokens of sequential runs with the same seeds (each request draws only from its own seed, and one call's rows
 * are never batched with another call's), with one precise exception, float rounding: a row's logits can differ in
 * the last bits (up to 1e-6 absolute on the test models' logits of magnitude ~1) depending on which rows share
 * its forward pass, whether its prefix KV was reused from the pool (filled by whatever ran before) or recomputed, and
 * the alignment of the buffers (the CPU matrix product's reduction order depends on it). A sampled token changes only
 * if the request's uniform draw falls within that distance of a boundary of the cumulative distribution, a greedy
 * token only if the two largest logits are that close; {@code ConcurrentUseTest} checks token equality.
 *
 * <p>Continuous batching: {@link ContinuousBatcher} serves single requests asynchronously over this model, refilling a
 * finished row with the next pending request instead of running lockstep chunks.
 */
public final class LlamaLanguageModel implements LanguageModel, AutoCloseable {

    private final LlamaModel model;
    private final ChatCodec codec;
    private final KvCache cache;
    private final PrefixKvPool pool;
    private final int contextLength;
    private final int maxBatch;
    private final boolean ownsModel;
    private final LlamaOptions options;
    private TokenUsage total = TokenUsage.ZERO;
    private long forwardCalls;
    private long rowSteps;
    private long sampledRowSteps;

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
        if (!model.hasLmHead()) {
            throw new IllegalArgumentException("a language model needs an LM head; " + model.config().architecture()
                    + " checkpoint has none (load reward models with LlamaRewardModel)");
        }
        this.contextLength = options.resolvedContext(model.config().maxPositionEmbeddings());
        int slots = options.resolvedSlots(model.bytesPerSlot(contextLength));
        this.cache = model.newCache(slots, contextLength);
        this.pool = new PrefixKvPool(cache);
        this.maxBatch = Math.min(options.maxBatchSize(), pool.maxBatch());
        this.ownsModel = ownsModel;
        this.options = options;
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
                return new LlamaLanguageModel(model, codecOf(ckpt), options, true);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /**
     * The codec of a checkpoint: its tokenizer, chat template and {@code config.json} BOS id.
     *
     * @param ckpt the checkpoint
     * @return a new codec (owns a new tokenizer)
     * @throws io.github.qalign.djl.checkpoint.CheckpointException if a tokenizer file is missing or malformed
     */
    static HfChatCodec codecOf(HfCheckpoint ckpt) {
        var template = ckpt.chatTemplate().orElse(null);
        return new HfChatCodec(ckpt.tokenizer(), template, ckpt.config().bosTokenId());
    }

    static LlamaModel loadModel(HfCheckpoint ckpt, LlamaOptions options) {
        var engine = DjlRuntime.engine();
        DjlRuntime.checkDevice(options.device()); // one clear line before gigabytes are read
        try (NDManager tmp = options.device() == null ? engine.newBaseManager()
                : engine.newBaseManager(options.device())) {
            Map<String, NDArray> weights = ckpt.loadAll(tmp, options.dataType());
            LlamaModel model = LlamaModel.create(ckpt.config(), weights, options.device(), options.dataType());
            if (!options.keepTrainingWeights()) {
                try {
                    model.releaseTrainingWeights();
                } catch (RuntimeException e) {
                    model.close();
                    throw e;
                }
            }
            return model;
        }
    }

    /**
     * The underlying model.
     *
     * @return the underlying model
     */
    public LlamaModel model() {
        return model;
    }

    /**
     * The codec.
     *
     * @return the codec
     */
    public ChatCodec codec() {
        return codec;
    }

    /**
     * Positions per sequence (prompt + completion limit).
     *
     * @return positions per sequence (prompt + completion limit)
     */
    public int contextLength() {
        return contextLength;
    }

    /**
     * Rows per forward pass.
     *
     * @return rows per forward pass
     */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * The prefix pool (counters).
     *
     * @return the prefix pool (counters)
     */
    public PrefixKvPool pool() {
        return pool;
    }

    /**
     * Usage summed over every call so far.
     *
     * @return usage summed over every call so far
     */
    public synchronized TokenUsage totalUsage() {
        return total;
    }

    /**
     * Rows summed over every decode-and-sample forward pass so far (a finished row riding along counts).
     *
     * @return rows fed to decode-and-sample forward passes
     */
    public synchronized long rowSteps() {
        return rowSteps;
    }

    /**
     * The subset of {@link #rowSteps()} that sampled a kept token (rows riding along after they finished excluded).
     *
     * @return row-steps that produced a kept token
     */
    public synchronized long sampledRowSteps() {
        return sampledRowSteps;
    }

    /** Adds a generation's usage to {@link #totalUsage()} (the {@link ContinuousBatcher} reports its rows here). */
    synchronized void addUsage(TokenUsage usage) {
        total = total.plus(usage);
    }

    /**
     * Number of batched forward passes run so far.
     *
     * @return the number of batched forward passes run so far
     */
    public synchronized long forwardCalls() {
        return forwardCalls;
    }

    @Override
    public synchronized Prompt prompt(String text) {
        Objects.requireNonNull(text, "text");
        return prompt(List.of(ChatMessage.user(text)));
    }

    /**
     * Encodes a conversation with the model's chat template (system prompt, multi-turn history; the generation
     * prompt for the assistant's reply appended). Message contents are rendered verbatim, never interpreted.
     *
     * @param messages the conversation, not empty
     * @return the prompt, with {@link Prompt#messages()} equal to {@code messages}
     * @throws IllegalArgumentException if the template rejects the conversation ({@code raise_exception}, e.g. roles
     *                                  that do not alternate), the model has no template and the conversation is
     *                                  more than one user message, or the prompt exceeds the context length
     */
    @Override
    public synchronized Prompt prompt(List<ChatMessage> messages) {
        Prompt.checkMessages(messages);
        int[] ids = codec.encodePrompt(messages);
        if (ids.length > contextLength) {
            throw new IllegalArgumentException("prompt of " + ids.length + " tokens exceeds the context length "
                    + contextLength);
        }
        return Prompt.ofMessages(messages, TokenIds.of(ids));
    }

    @Override
    public String decode(TokenIds completion) {
        return codec.decode(completion.toArray());
    }

    /** The text of a completion as the tokenizer decodes it after its prompt (a leading space is kept). */
    String completionText(Prompt prompt, TokenIds completion) {
        return codec.decodeContinuation(prompt.ids().toArray(), completion.toArray());
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public synchronized List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(config, "config");
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
            rowRng[i] = r.newRandom();
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
                out[i] = new Generation(r.prefix(), k, completionText(r.prompt(), r.prefix()), FinishReason.LENGTH,
                        TokenUsage.ZERO);
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
        long before = pool.prefillCalls();
        long[] prepass = pool.prefillSharedPrefixes(model, inputs);
        forwardCalls += pool.prefillCalls() - before;
        List<PrefixKvPool.Placement> placed = pool.place(inputs, true);
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
        RandomGenerator[] draw = new RandomGenerator[b];
        for (int j = 0; j < b; j++) {
            draw[j] = rowRng[rows.get(j)];
        }
        int[] sampled = forwardAndSample(slots, tails, config, draw);
        // While the rows sit in one consecutive block of slots and at least half are still running, every row is fed
        // (finished rows get a dummy token that is truncated away afterwards) so the model reads the block's KV as a
        // view; after that only the running rows are fed (the model gathers their KV).
        boolean block = consecutive(slots);
        boolean[] finished = new boolean[b];
        int[] realLength = new int[b];
        int[] fed = new int[b];
        for (int j = 0; j < b; j++) {
            fed[j] = j;
        }
        int nFed = b;
        int[] lastToken = new int[b];
        while (true) {
            int running = 0;
            for (int a = 0; a < nFed; a++) {
                int j = fed[a];
                if (finished[j]) {
                    continue;
                }
                int tok = sampled[a];
                completion[j][length[j]++] = tok;
                lastToken[j] = tok;
                FinishReason reason = model.config().isEos(tok) ? FinishReason.EOS
                        : length[j] >= cap ? FinishReason.LENGTH : null;
                if (reason != null) {
                    finished[j] = true;
                    realLength[j] = cache.length(slots[j]);
                    TokenIds ids = TokenIds.of(completion[j], 0, length[j]);
                    out[rows.get(j)] = new Generation(ids, prefixLen[j],
                            completionText(requests.get(rows.get(j)).prompt(), ids), reason,
                            new TokenUsage(computed[j], reused[j], length[j] - prefixLen[j]));
                    pool.touch(slots[j]);
                } else {
                    running++;
                }
            }
            if (running == 0) {
                break;
            }
            if (block && 2 * running < b) {
                block = false;
            }
            for (int j = 0; j < b && block; j++) {
                // a finished row rides along only while its slot has room for the dummy token
                block = !finished[j] || cache.length(slots[j]) < cache.maxLength();
            }
            nFed = 0;
            for (int j = 0; j < b; j++) {
                if (block || !finished[j]) {
                    fed[nFed++] = j;
                }
            }
            int[] feedSlots = new int[nFed];
            int[][] feedTokens = new int[nFed][];
            RandomGenerator[] feedDraw = new RandomGenerator[nFed];
            for (int a = 0; a < nFed; a++) {
                feedSlots[a] = slots[fed[a]];
                feedTokens[a] = new int[] {lastToken[fed[a]]};
                feedDraw[a] = finished[fed[a]] ? null : rowRng[rows.get(fed[a])];
            }
            sampled = forwardAndSample(feedSlots, feedTokens, config, feedDraw);
        }
        for (int j = 0; j < b; j++) {
            if (cache.length(slots[j]) > realLength[j]) {
                cache.truncate(slots[j], realLength[j]);
            }
        }
    }

    /**
     * One batched forward pass and the next token of every row that has a random stream (rows with null are finished
     * rows riding along: no token, no draw). Each sampled row consumes exactly one {@code nextDouble()} of its stream
     * (none at temperature 0), on the device path as on the Java path.
     */
    int[] forwardAndSample(int[] feedSlots, int[][] feedTokens, SamplingConfig config,
                                   RandomGenerator[] draw) {
        int n = feedSlots.length;
        forwardCalls++;
        rowSteps += n;
        for (RandomGenerator d : draw) {
            sampledRowSteps += d == null ? 0 : 1;
        }
        if (options.samplesOnDevice(config)) {
            boolean[] active = new boolean[n];
            double[] u = config.isGreedy() ? null : new double[n];
            for (int a = 0; a < n; a++) {
                active[a] = draw[a] != null;
                if (active[a] && u != null) {
                    u[a] = draw[a].nextDouble();
                }
            }
            return model.forwardSample(cache, feedSlots, feedTokens, config, u, active);
        }
        float[][] logits = model.forward(cache, feedSlots, feedTokens, LlamaModel.Head.LOGITS);
        int[] ids = new int[n];
        for (int a = 0; a < n; a++) {
            ids[a] = draw[a] == null ? -1 : TokenSampler.sample(logits[a], config, draw[a]);
        }
        return ids;
    }

    private static boolean consecutive(int[] slots) {
        for (int r = 1; r < slots.length; r++) {
            if (slots[r] != slots[0] + r) {
                return false;
            }
        }
        return true;
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
