package io.github.qalign.djl.llama;

import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.TokenUsage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Bradley-Terry {@link RewardModel} backed by a {@code LlamaForSequenceClassification} {@link LlamaModel}: the reward
 * is the score head ({@code score.weight}, label 0) at the last NON-PAD token of prompt+completion, as Hugging Face's
 * {@code LlamaForSequenceClassification} reads it (transformers' {@code GenericForSequenceClassification}, 4.5x:
 * the rightmost position whose id is not {@code pad_token_id}; position 0 when every id is the pad id; the last
 * position when the config has no pad id). Older transformers releases took the position before the FIRST pad id,
 * which differs only when a pad id occurs inside the sequence; this class follows the current rule. A sequence that
 * ends in pad ids (e.g. a completion ending in a pad token that doubles as eos) is therefore scored at the token
 * before them: trailing pad ids are dropped before the forward pass (causal attention makes the hidden state at a
 * position independent of later tokens), and {@link Reward#usage()} counts the ids actually run.
 *
 * <p>Input ids, per request:
 * <ul>
 *   <li>with a {@link ChatCodec} (the RM has its own tokenizer/template):
 *       {@code codec.encodeExchange(prompt.text, completion text)} — the user prompt and the assistant completion
 *       rendered by the RM's chat template;</li>
 *   <li>without one ({@code codec == null}, only when the RM shares the policy's tokenizer and prompt format): the
 *       policy ids directly, {@code prompt.ids ++ completion}.</li>
 * </ul>
 * Consecutive QAlign candidates share {@code y[0:i]}, so the same {@link PrefixKvPool} reuse applies (and prefixes shared
 * within one call, e.g. the prompt of best-of-n candidates, are computed once); usage (computed
 * vs reused input tokens) is reported in each {@link Reward#usage()}. Scoring is deterministic.
 */
public final class LlamaRewardModel implements RewardModel, AutoCloseable {

    private final LlamaModel model;
    private final ChatCodec codec;
    private final KvCache cache;
    private final PrefixKvPool pool;
    private final int contextLength;
    private final int maxBatch;
    private final boolean ownsModel;
    private TokenUsage total = TokenUsage.ZERO;

    /**
     * Wraps a sequence-classification model.
     *
     * @param model     the model (must have a score head)
     * @param codec     the RM's own rendering, or null to score the policy ids directly
     * @param options   batch size, KV pool size, context length
     * @param ownsModel whether {@link #close()} also closes the model
     */
    public LlamaRewardModel(LlamaModel model, ChatCodec codec, LlamaOptions options, boolean ownsModel) {
        this.model = Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        if (!model.hasScoreHead()) {
            throw new IllegalArgumentException("reward model needs a score head (score.weight); architecture is "
                    + model.config().architecture());
        }
        this.codec = codec;
        this.contextLength = options.resolvedContext(model.config().maxPositionEmbeddings());
        this.cache = model.newCache(options.resolvedSlots(model.bytesPerSlot(contextLength)), contextLength);
        this.pool = new PrefixKvPool(cache);
        this.maxBatch = Math.min(options.maxBatchSize(), pool.maxBatch());
        this.ownsModel = ownsModel;
    }

    /**
     * Loads a {@code LlamaForSequenceClassification} Hugging Face checkpoint directory through {@link HfCheckpoint}.
     *
     * @param dir              checkpoint directory
     * @param options          device, data type, batch size, KV pool
     * @param usePolicyIds     true to score {@code prompt.ids ++ completion} directly (only when the RM shares the
     *                         policy's tokenizer and prompt format); false to re-render prompt text + completion text
     *                         with the RM's own tokenizer and chat template
     * @return the reward model (close it)
     */
    public static LlamaRewardModel load(Path dir, LlamaOptions options, boolean usePolicyIds) {
        Objects.requireNonNull(options, "options");
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            if (!ckpt.config().isSequenceClassification()) {
                throw new IllegalArgumentException(dir + " is a " + ckpt.config().architecture()
                        + " checkpoint, not LlamaForSequenceClassification");
            }
            LlamaModel model = LlamaLanguageModel.loadModel(ckpt, options);
            try {
                return new LlamaRewardModel(model, usePolicyIds ? null : HfChatCodec.of(ckpt), options, true);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
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
     * The ids this model scores for a request.
     *
     * @param r the request
     * @return the ids this model scores for a request
     */
    public int[] inputIds(RewardRequest r) {
        int[] ids = codec == null ? r.prompt().ids().concat(r.completion()).toArray()
                : codec.encodeExchange(r.prompt().text(), r.text());
        if (ids.length == 0) {
            throw new IllegalArgumentException("reward input is empty for prompt '" + r.prompt().text() + "'");
        }
        if (ids.length > contextLength) {
            throw new IllegalArgumentException("reward input of " + ids.length + " tokens exceeds the context length "
                    + contextLength);
        }
        return ids;
    }

    @Override
    public synchronized List<Reward> score(List<RewardRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests is empty");
        }
        List<int[]> inputs = new ArrayList<>(requests.size());
        int pad = model.config().padTokenId();
        for (RewardRequest r : requests) {
            int[] ids = inputIds(Objects.requireNonNull(r, "request"));
            inputs.add(Arrays.copyOf(ids, scoredLength(ids, pad)));
        }
        Reward[] out = new Reward[requests.size()];
        for (int from = 0; from < inputs.size(); from += maxBatch) {
            int to = Math.min(inputs.size(), from + maxBatch);
            List<int[]> chunk = inputs.subList(from, to);
            long[] prepass = pool.prefillSharedPrefixes(model, chunk);
            List<PrefixKvPool.Placement> placed = pool.place(chunk);
            int[] slots = new int[chunk.size()];
            int[][] tails = new int[chunk.size()][];
            for (int j = 0; j < chunk.size(); j++) {
                slots[j] = placed.get(j).slot();
                tails[j] = Arrays.copyOfRange(chunk.get(j), placed.get(j).reused(), chunk.get(j).length);
            }
            float[][] s = model.forward(cache, slots, tails, LlamaModel.Head.SCORE);
            for (int j = 0; j < chunk.size(); j++) {
                double v = s[j][0];
                if (!Double.isFinite(v)) {
                    throw new ModelException("reward model produced a non-finite score " + v + " for request "
                            + (from + j));
                }
                int reused = placed.get(j).reused();
                TokenUsage u = new TokenUsage(chunk.get(j).length - reused + prepass[j], reused - prepass[j], 0);
                out[from + j] = new Reward(v, u);
                total = total.plus(u);
            }
        }
        return List.of(out);
    }

    /**
     * How many leading ids the reward is read after: the position of the rightmost id that is not {@code padId},
     * plus one (1 when every id is the pad id; all of them when {@code padId < 0}), as Hugging Face's
     * {@code LlamaForSequenceClassification} pools.
     *
     * @param ids   the input ids, non-empty
     * @param padId the config's {@code pad_token_id}, or -1
     * @return the scored length, in [1, ids.length]
     */
    public static int scoredLength(int[] ids, int padId) {
        if (padId < 0) {
            return ids.length;
        }
        for (int i = ids.length - 1; i >= 0; i--) {
            if (ids[i] != padId) {
                return i + 1;
            }
        }
        return 1;
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
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
