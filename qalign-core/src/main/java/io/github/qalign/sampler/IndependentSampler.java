package io.github.qalign.sampler;

import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Independent (ancestral) samples {@code y_1..y_n ~ p_LM(.|x)} per prompt, each scored once: the input of the
 * baselines (best-of-n, majority vote, weighted majority vote, MBR).
 *
 * <p>Requests are prompt-major ({@code promptIndex * n + sampleIndex}), all fresh (empty prefix). They are sent as
 * one {@code generate} call followed by one {@code score} call, or, with {@link Builder#maxBatchSize(int)}, as
 * consecutive chunks of at most that many requests: all {@code generate} chunks in order, then all {@code score}
 * chunks. The only random draws are the language model's, from each request's seed; sample {@code j} of a prompt
 * takes its seed from the stream {@link RandomStreams#stream(long, long, long) RandomStreams.stream(seed, key, j)}
 * (see {@link #runKeyed(List, long)}).
 *
 * <p>Instances are immutable; concurrent {@code run} calls are safe if the models are (each request carries its own
 * seed). Create them with {@link #builder()}.
 */
public final class IndependentSampler {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final int samplesPerPrompt;
    private final SamplingConfig sampling;
    private final int maxBatchSize;

    private IndependentSampler(Builder b) {
        this.languageModel = b.languageModel;
        this.rewardModel = b.rewardModel;
        this.samplesPerPrompt = b.samplesPerPrompt;
        this.sampling = b.sampling;
        this.maxBatchSize = b.maxBatchSize;
    }

    /**
     * A new builder. Required: language model, reward model, samples per prompt.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples per prompt {@code n}.
     *
     * @return samples per prompt
     */
    public int samplesPerPrompt() {
        return samplesPerPrompt;
    }

    /**
     * The sampling configuration of the language model.
     *
     * @return the sampling configuration
     */
    public SamplingConfig sampling() {
        return sampling;
    }

    /**
     * Samples one prompt, keyed by its content.
     *
     * @param prompt the prompt
     * @param seed   the run seed
     * @return the scored samples of the prompt, as a one-prompt result
     */
    public IndependentResult run(Prompt prompt, long seed) {
        Objects.requireNonNull(prompt, "prompt");
        return run(List.of(prompt), seed);
    }

    /**
     * Draws {@code samplesPerPrompt} scored samples for every prompt, each prompt keyed by its content
     * ({@link KeyedPrompt#of(Prompt)}).
     *
     * @param prompts the prompts; not empty, no null element
     * @param seed    the run seed
     * @return the scored samples, per prompt in input order
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public IndependentResult run(List<Prompt> prompts, long seed) {
        return runKeyed(ModelCalls.keyed(prompts), seed);
    }

    /**
     * Convenience for callers holding a generator: draws ONE {@code nextLong()} from {@code rng} as the run seed and
     * calls {@link #run(Prompt, long)}.
     *
     * @param prompt the prompt
     * @param rng    the source of the run seed
     * @return the scored samples of the prompt, as a one-prompt result
     */
    public IndependentResult run(Prompt prompt, RandomGenerator rng) {
        Objects.requireNonNull(prompt, "prompt");
        return run(List.of(prompt), rng);
    }

    /**
     * Convenience for callers holding a generator: draws ONE {@code nextLong()} from {@code rng} as the run seed and
     * calls {@link #run(List, long)}.
     *
     * @param prompts the prompts; not empty, no null element
     * @param rng     the source of the run seed
     * @return the scored samples, per prompt in input order
     */
    public IndependentResult run(List<Prompt> prompts, RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        List<KeyedPrompt> keyed = ModelCalls.keyed(prompts);
        return runKeyed(keyed, rng.nextLong());
    }

    /**
     * Draws {@code samplesPerPrompt} scored samples for every prompt. Sample {@code j} of a prompt with key
     * {@code key} is generated from the request seed {@code RandomStreams.stream(seed, key, j).nextLong()}: it depends
     * only on (seed, key, j), so it is the same whatever {@code samplesPerPrompt}, the other prompts, the batching or
     * the thread, and it equals the initial state {@code y^0} of chain {@code j} of a {@link QAlignSampler} run with
     * the same seed and models.
     *
     * @param prompts the keyed prompts; not empty, no null element
     * @param seed    the run seed
     * @return the scored samples, per prompt in input order
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public IndependentResult runKeyed(List<KeyedPrompt> prompts, long seed) {
        int total = ModelCalls.checkRunArguments(prompts, samplesPerPrompt, "samplesPerPrompt");
        List<GenerationRequest> requests = new ArrayList<>(total);
        for (KeyedPrompt p : prompts) {
            for (int k = 0; k < samplesPerPrompt; k++) {
                requests.add(GenerationRequest.fresh(p.prompt(), RandomStreams.stream(seed, p.key(), k).nextLong()));
            }
        }
        BatchScorer.Batch batch = new BatchScorer(languageModel, rewardModel, sampling, maxBatchSize)
                .run(requests, this::where);
        List<PromptSamples> out = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            int from = p * samplesPerPrompt;
            int to = from + samplesPerPrompt;
            out.add(new PromptSamples(p, prompts.get(p).prompt(), batch.samples().subList(from, to),
                    batch.usages().subList(from, to)));
        }
        return new IndependentResult(out, batch.total());
    }

    private String where(int j) {
        return "prompt " + (j / samplesPerPrompt) + " sample " + (j % samplesPerPrompt);
    }

    /**
     * Builder of {@link IndependentSampler}. Defaults: {@link SamplingConfig#defaults()}, no batch-size limit.
     * {@link #build()} throws {@link IllegalArgumentException} naming the bad parameter.
     */
    public static final class Builder {
        private LanguageModel languageModel;
        private RewardModel rewardModel;
        private int samplesPerPrompt = -1;
        private SamplingConfig sampling = SamplingConfig.defaults();
        private int maxBatchSize = Integer.MAX_VALUE;

        private Builder() {
        }

        /**
         * The policy language model (required).
         *
         * @param lm the policy language model (required)
         * @return this builder
         */
        public Builder languageModel(LanguageModel lm) {
            this.languageModel = lm;
            return this;
        }

        /**
         * The reward model (required).
         *
         * @param rm the reward model (required)
         * @return this builder
         */
        public Builder rewardModel(RewardModel rm) {
            this.rewardModel = rm;
            return this;
        }

        /**
         * Samples per prompt {@code n}, &gt;= 1 (required).
         *
         * @param n samples per prompt {@code n}, &gt;= 1 (required)
         * @return this builder
         */
        public Builder samplesPerPrompt(int n) {
            this.samplesPerPrompt = n;
            return this;
        }

        /**
         * The language model's sampling configuration.
         *
         * @param sampling the language model's sampling configuration
         * @return this builder
         */
        public Builder sampling(SamplingConfig sampling) {
            this.sampling = sampling;
            return this;
        }

        /**
         * Largest number of requests per model call, &gt;= 1 (default unlimited: one call each).
         *
         * @param max largest number of requests per model call, &gt;= 1 (default unlimited: one call each)
         * @return this builder
         */
        public Builder maxBatchSize(int max) {
            this.maxBatchSize = max;
            return this;
        }

        /**
         * The sampler.
         *
         * @return the sampler
         */
        public IndependentSampler build() {
            if (languageModel == null) {
                throw new IllegalArgumentException("languageModel is required");
            }
            if (rewardModel == null) {
                throw new IllegalArgumentException("rewardModel is required");
            }
            if (samplesPerPrompt < 1) {
                throw new IllegalArgumentException("samplesPerPrompt must be >= 1, got " + samplesPerPrompt
                        + (samplesPerPrompt == -1 ? " (not set?)" : ""));
            }
            if (sampling == null) {
                throw new IllegalArgumentException("sampling must not be null");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            return new IndependentSampler(this);
        }
    }
}
