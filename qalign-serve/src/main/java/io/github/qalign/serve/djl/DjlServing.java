package io.github.qalign.serve.djl;

import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.serve.ServedPolicy;
import io.github.qalign.serve.ServedReward;
import io.github.qalign.serve.TextCodec;
import io.github.qalign.tokenizer.HfChatCodec;
import io.github.qalign.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * In-process DJL models ({@link LlamaLanguageModel}, {@link LlamaRewardModel}) as a {@link ServedPolicy} and a
 * {@link ServedReward}. {@code /classify} needs a reward model that scores raw ids: when the reward checkpoint
 * shares the policy's tokenizer files the loaded model already does; otherwise a second wrapper over the same weights
 * (no second copy of them, only its own KV pool) scores raw ids while the alignment endpoint re-renders prompt and
 * completion with the reward model's own chat template.
 */
public final class DjlServing implements AutoCloseable {

    private final ServedPolicy policy;
    private final ServedReward reward;
    private final List<AutoCloseable> owned;

    private DjlServing(ServedPolicy policy, ServedReward reward, List<AutoCloseable> owned) {
        this.policy = policy;
        this.reward = reward;
        this.owned = owned;
    }

    /**
     * Loads a policy and a reward checkpoint (Hugging Face layout).
     *
     * @param policyDir  a {@code LlamaForCausalLM} checkpoint directory
     * @param rewardDir  a {@code LlamaForSequenceClassification} checkpoint directory
     * @param options    runtime options (device, batch size, context length)
     * @param policyName the policy's model id, or null for the directory's name
     * @param rewardName the reward model's id, or null for the directory's name
     * @return the served models (close to free them)
     */
    public static DjlServing open(Path policyDir, Path rewardDir, LlamaOptions options, String policyName,
                                  String rewardName) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            LlamaLanguageModel lm = LlamaLanguageModel.load(policyDir, options);
            owned.add(lm);
            boolean shared = HfCheckpoint.sameTokenizer(policyDir, rewardDir);
            LlamaRewardModel rm = LlamaRewardModel.load(rewardDir, options, shared);
            owned.add(0, rm);
            TextCodec policyCodec = policyCodec(lm);
            LlamaRewardModel raw = rm;
            TextCodec rewardCodec = policyCodec;
            if (!shared) {
                raw = new LlamaRewardModel(rm.model(), null, options, false);
                owned.add(0, raw);
                HfTokenizer tok = HfTokenizer.open(rewardDir);
                owned.add(tok);
                rewardCodec = codec(tok, rm.model().config().vocabSize());
            }
            int rctx = Math.min(options.contextLength() == 0 ? LlamaOptions.DEFAULT_CONTEXT_CAP
                    : options.contextLength(), rm.model().config().maxPositionEmbeddings());
            ServedPolicy p = new ServedPolicy(policyName != null ? policyName : name(policyDir), lm, policyCodec, lm.contextLength());
            ServedReward r = new ServedReward(rewardName != null ? rewardName : name(rewardDir), rm, raw, rewardCodec, rctx);
            return new DjlServing(p, r, owned);
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /**
     * Serves models already loaded, where the reward model scores the policy's ids directly (it shares the policy's
     * tokenizer and prompt format). The caller keeps ownership of the models.
     *
     * @param policyName the policy's model id
     * @param lm         the policy
     * @param rewardName the reward model's id
     * @param rm         the reward model, scoring {@code prompt.ids ++ completion}
     * @param rewardContextLength the reward model's context length
     * @return the served models ({@link #close()} closes nothing)
     */
    public static DjlServing sharingTokenizer(String policyName, LlamaLanguageModel lm, String rewardName,
                                              LlamaRewardModel rm, int rewardContextLength) {
        TextCodec codec = policyCodec(lm);
        return new DjlServing(new ServedPolicy(policyName, lm, codec, lm.contextLength()),
                new ServedReward(rewardName, rm, rm, codec, rewardContextLength), List.of());
    }

    /**
     * The served policy.
     *
     * @return the served policy
     */
    public ServedPolicy policy() {
        return policy;
    }

    /**
     * The served reward model.
     *
     * @return the served reward model
     */
    public ServedReward reward() {
        return reward;
    }

    /** Closes the models this instance loaded. */
    @Override
    public void close() {
        closeAll(owned);
    }

    private static TextCodec policyCodec(LlamaLanguageModel lm) {
        if (!(lm.codec() instanceof HfChatCodec hc)) {
            throw new IllegalArgumentException("the policy's codec is a " + lm.codec().getClass().getName()
                    + "; serving needs a Hugging Face tokenizer (HfChatCodec)");
        }
        return codec(hc.tokenizer(), lm.model().config().vocabSize());
    }

    /**
     * A Hugging Face tokenizer as a {@link TextCodec} (also for remote models served with local tokenizer files).
     *
     * @param tok   the tokenizer (the caller keeps ownership)
     * @param vocab the model's vocabulary size
     * @return the codec
     */
    public static TextCodec textCodec(HfTokenizer tok, int vocab) {
        return codec(tok, vocab);
    }

    private static TextCodec codec(HfTokenizer tok, int vocab) {
        Objects.requireNonNull(tok, "tokenizer");
        return new TextCodec() {
            @Override
            public int[] encode(String text, boolean addSpecialTokens) {
                return tok.encode(text, addSpecialTokens);
            }

            @Override
            public String decode(int[] ids, boolean skipSpecialTokens) {
                return tok.decode(ids, skipSpecialTokens);
            }

            @Override
            public int vocabSize() {
                return vocab;
            }
        };
    }

    private static String name(Path dir) {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? dir.toString() : f.toString();
    }

    private static void closeAll(List<AutoCloseable> owned) {
        RuntimeException first = null;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing " + c.getClass().getSimpleName() + " failed: "
                            + e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
