package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;

/**
 * QAlign: Metropolis-Hastings over completions targeting {@code pi(y|x) ∝ p_LM(y|x) exp(r(x,y)/beta)}, with the
 * QUEST suffix proposal (paper §3.1, Eq. 8).
 *
 * <p>A chain's state is a completion as the policy's token ids, prompt excluded, EOS kept as the last id when the
 * sequence stopped on EOS; {@code |y|} counts exactly those ids. {@code y^0} is one full sample of the language
 * model, scored once. Each step draws {@code i ~ Uniform{0, ..., |y|-1}} ({@link Proposal#SUFFIX}; always 0 for
 * {@link Proposal#INDEPENDENCE}), keeps {@code y[0:i]}, lets the language model continue it into a candidate
 * {@code y'} (total length capped by {@link SamplingConfig#maxCompletionTokens()}), scores it, and accepts it when
 * {@code log u < log alpha} with {@code u ~ Uniform[0,1)} and
 * {@code log alpha = (r' - r)/beta + log|y| - log|y'|} (the length term only for the suffix proposal). A rejected
 * step repeats the state, and the repeat counts as a sample.
 *
 * <p>All chains of all prompts advance in lockstep: the initial states take one {@code generate} and one
 * {@code score} batch call, and so does every step, whatever the number of prompts and chains. (A backend that
 * cannot run a whole batch at once splits it internally; the sampler stays one call per step.)
 *
 * <p>Random draws, all from the generator passed to {@link #run(List, RandomGenerator)}, in this order: one
 * {@code nextLong()} per chain in chain order, the seeds of the initial requests; then per step: (1) one
 * {@code nextInt(|y|)} per chain in chain order (suffix proposal only), (2) one {@code nextLong()} per chain in chain
 * order, the seeds of the step's requests ({@link GenerationRequest#seed()}; the language model draws the tokens from
 * them), (3) one {@code nextDouble()} per chain in chain order (always drawn, even when {@code log alpha >= 0}). Chain order is prompt-major:
 * {@code promptIndex * chainsPerPrompt + chainIndex}. The reward model must be deterministic. Hence the same seed,
 * models and configuration give identical chains.
 *
 * <p>Instances are immutable; concurrent {@code run} calls are safe if the models and the listener are (each call
 * needs its own generator). Create them with {@link #builder()}.
 */
public final class QAlignSampler {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final double beta;
    private final int steps;
    private final int chainsPerPrompt;
    private final int burnIn;
    private final int thin;
    private final SamplingConfig sampling;
    private final Proposal proposal;
    private final QAlignListener listener;
    private final OptionalDouble logAlphaClamp;
    private final boolean invertedLengthRatio;

    private QAlignSampler(Builder b) {
        this.languageModel = b.languageModel;
        this.rewardModel = b.rewardModel;
        this.beta = b.beta;
        this.steps = b.steps;
        this.chainsPerPrompt = b.chainsPerPrompt;
        this.burnIn = b.burnIn;
        this.thin = b.thin;
        this.sampling = b.sampling;
        this.proposal = b.proposal;
        this.listener = b.listener;
        this.logAlphaClamp = b.logAlphaClamp;
        this.invertedLengthRatio = b.invertedLengthRatio;
    }

    /**
     * A new builder. Required: language model, reward model, beta.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this sampler's configuration (to derive variants, e.g. another beta).
     *
     * @return a new builder with this sampler's settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.languageModel = languageModel;
        b.rewardModel = rewardModel;
        b.beta = beta;
        b.steps = steps;
        b.chainsPerPrompt = chainsPerPrompt;
        b.burnIn = burnIn;
        b.thin = thin;
        b.sampling = sampling;
        b.proposal = proposal;
        b.listener = listener;
        b.logAlphaClamp = logAlphaClamp;
        b.invertedLengthRatio = invertedLengthRatio;
        return b;
    }

    /**
     * The target temperature {@code beta}.
     *
     * @return the target temperature {@code beta}
     */
    public double beta() {
        return beta;
    }

    /**
     * Steps {@code T} per chain.
     *
     * @return steps {@code T} per chain
     */
    public int steps() {
        return steps;
    }

    /**
     * Chains per prompt.
     *
     * @return chains per prompt
     */
    public int chainsPerPrompt() {
        return chainsPerPrompt;
    }

    /**
     * The sampling configuration of the language model (part of the target).
     *
     * @return the sampling configuration of the language model (part of the target)
     */
    public SamplingConfig sampling() {
        return sampling;
    }

    /**
     * The proposal.
     *
     * @return the proposal
     */
    public Proposal proposal() {
        return proposal;
    }

    /**
     * Runs the chains of one prompt.
     *
     * @param prompt the prompt
     * @param rng the source of every random draw
     * @return the chains of the prompt, as a one-prompt result
     */
    public QAlignResult run(Prompt prompt, RandomGenerator rng) {
        Objects.requireNonNull(prompt, "prompt");
        return run(List.of(prompt), rng);
    }

    /**
     * Runs {@code chainsPerPrompt} chains for every prompt, all in lockstep.
     *
     * @param prompts the prompts; not empty
     * @param rng     the source of every random draw
     * @return the chains, per prompt in input order
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public QAlignResult run(List<Prompt> prompts, RandomGenerator rng) {
        final int nChains = ModelCalls.checkRunArguments(prompts, rng, chainsPerPrompt, "chainsPerPrompt");
        final BatchScorer scorer = new BatchScorer(languageModel, rewardModel, sampling, Integer.MAX_VALUE);
        Prompt[] promptOf = new Prompt[nChains];
        for (int c = 0; c < nChains; c++) {
            promptOf[c] = prompts.get(c / chainsPerPrompt);
        }

        // y^0: one batch each.
        List<GenerationRequest> initReq = new ArrayList<>(nChains);
        for (int c = 0; c < nChains; c++) {
            initReq.add(GenerationRequest.fresh(promptOf[c], rng.nextLong()));
        }
        BatchScorer.Batch init = scorer.run(initReq, j -> where(j, "initial sample"));
        ScoredSample[] state = init.samples().toArray(new ScoredSample[0]);
        List<ComputeUsage> initialUsage = init.usages();
        ComputeUsage initTotal = init.total();
        final ScoredSample[] initial = state.clone();
        listener.onInit(new QAlignListener.InitEvent(prompts, chainsPerPrompt, steps, List.of(state), initTotal));

        List<List<ChainStep>> history = new ArrayList<>(nChains);
        for (int c = 0; c < nChains; c++) {
            history.add(new ArrayList<>(steps));
        }
        ComputeUsage total = initTotal;
        int[] index = new int[nChains];
        for (int t = 1; t <= steps; t++) {
            final int step = t;
            List<GenerationRequest> req = new ArrayList<>(nChains);
            for (int c = 0; c < nChains; c++) {
                int len = state[c].completion().length();
                index[c] = proposal == Proposal.SUFFIX ? rng.nextInt(len) : 0;
            }
            for (int c = 0; c < nChains; c++) {
                req.add(new GenerationRequest(promptOf[c], state[c].completion().prefix(index[c]), rng.nextLong()));
            }
            BatchScorer.Batch batch = scorer.run(req, j -> where(j, "step " + step));
            List<ChainStep> stepRecords = new ArrayList<>(nChains);
            int acceptedCount = 0;
            for (int c = 0; c < nChains; c++) {
                ScoredSample cur = state[c];
                ScoredSample cand = batch.samples().get(c);
                double logAlpha = logAlpha(cur.reward(), cand.reward(), cur.completion().length(),
                        cand.completion().length());
                double u = rng.nextDouble();
                boolean accepted = Math.log(u) < logAlpha;
                if (accepted) {
                    state[c] = cand;
                    acceptedCount++;
                }
                ComputeUsage usage = batch.usages().get(c);
                ChainStep rec = new ChainStep(t, index[c], cur.completion().length(), cur.reward(), cand, logAlpha,
                        accepted, state[c], usage);
                history.get(c).add(rec);
                stepRecords.add(rec);
            }
            ComputeUsage stepTotal = batch.total();
            total = total.plus(stepTotal);
            listener.onStep(new QAlignListener.StepEvent(t, steps, chainsPerPrompt, stepRecords, acceptedCount,
                    stepTotal));
        }

        List<PromptResult> results = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            List<ChainResult> chains = new ArrayList<>(chainsPerPrompt);
            for (int k = 0; k < chainsPerPrompt; k++) {
                int c = p * chainsPerPrompt + k;
                chains.add(new ChainResult(p, k, initial[c], initialUsage.get(c),
                        history.get(c), burnIn, thin));
            }
            results.add(new PromptResult(p, prompts.get(p), chains));
        }
        QAlignResult result = new QAlignResult(results, beta, steps, proposal, total);
        listener.onComplete(result);
        return result;
    }

    /** The log acceptance ratio of moving from a state (reward r, length n) to a candidate (r2, n2). */
    double logAlpha(double r, double r2, int n, int n2) {
        double la = (r2 - r) / beta;
        if (proposal == Proposal.SUFFIX) {
            double lengthTerm = Math.log(n) - Math.log(n2);
            la += invertedLengthRatio ? -lengthTerm : lengthTerm;
        }
        if (logAlphaClamp.isPresent()) {
            double c = logAlphaClamp.getAsDouble();
            la = Math.max(-c, Math.min(c, la));
        }
        return la;
    }

    private String where(int chain, String phase) {
        return "prompt " + (chain / chainsPerPrompt) + " chain " + (chain % chainsPerPrompt) + " (" + phase + ")";
    }

    /**
     * Builder of {@link QAlignSampler}. Defaults: {@code steps = 16}, {@code chainsPerPrompt = 1},
     * {@code burnIn = 0}, {@code thin = 1}, {@link SamplingConfig#defaults()}, {@link Proposal#SUFFIX}, no listener,
     * no log-alpha clamp. {@link #build()} throws {@link IllegalArgumentException} naming the bad parameter.
     */
    public static final class Builder {
        private LanguageModel languageModel;
        private RewardModel rewardModel;
        private double beta = Double.NaN;
        private int steps = 16;
        private int chainsPerPrompt = 1;
        private int burnIn = 0;
        private int thin = 1;
        private SamplingConfig sampling = SamplingConfig.defaults();
        private Proposal proposal = Proposal.SUFFIX;
        private QAlignListener listener = QAlignListener.NONE;
        private OptionalDouble logAlphaClamp = OptionalDouble.empty();
        private boolean invertedLengthRatio;

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
         * The target temperature {@code beta}: finite and &gt; 0 (required).
         *
         * @param beta the target temperature {@code beta}: finite and &gt; 0 (required)
         * @return this builder
         */
        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Steps {@code T} per chain, &gt;= 0 (default 16); a chain holds {@code T + 1} states.
         *
         * @param steps steps {@code T} per chain, &gt;= 0 (default 16); a chain holds {@code T + 1} states
         * @return this builder
         */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Independent chains per prompt, &gt;= 1 (default 1).
         *
         * @param chains independent chains per prompt, &gt;= 1 (default 1)
         * @return this builder
         */
        public Builder chainsPerPrompt(int chains) {
            this.chainsPerPrompt = chains;
            return this;
        }

        /**
         * States discarded from the start of each chain when extracting samples, in [0, steps] (default 0).
         *
         * @param burnIn states discarded from the start of each chain, in [0, steps] (default 0)
         * @return this builder
         */
        public Builder burnIn(int burnIn) {
            this.burnIn = burnIn;
            return this;
        }

        /**
         * Keep every {@code thin}-th state after burn-in, &gt;= 1 (default 1: keep all).
         *
         * @param thin keep every {@code thin}-th state after burn-in, &gt;= 1 (default 1: keep all)
         * @return this builder
         */
        public Builder thin(int thin) {
            this.thin = thin;
            return this;
        }

        /**
         * The language model's sampling configuration; it is part of the target {@code p_LM}.
         *
         * @param sampling the language model's sampling configuration; it is part of the target {@code p_LM}
         * @return this builder
         */
        public Builder sampling(SamplingConfig sampling) {
            this.sampling = sampling;
            return this;
        }

        /**
         * The proposal (default {@link Proposal#SUFFIX}).
         *
         * @param proposal the proposal (default {@link Proposal#SUFFIX})
         * @return this builder
         */
        public Builder proposal(Proposal proposal) {
            this.proposal = proposal;
            return this;
        }

        /**
         * Progress and telemetry callbacks (default none).
         *
         * @param listener progress and telemetry callbacks (default none)
         * @return this builder
         */
        public Builder listener(QAlignListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Clamps {@code log alpha} to {@code [-c, c]} as the reference implementation does with {@code c = 20}.
         * Off by default: clamping only changes acceptance of candidates with {@code alpha < e^-c}, and makes the
         * chain slightly inexact.
         *
         * @param c the bound, finite and &gt; 0
         * @return this builder
         */
        public Builder logAlphaClamp(double c) {
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("logAlphaClamp must be finite and > 0, got " + c);
            }
            this.logAlphaClamp = OptionalDouble.of(c);
            return this;
        }

        /**
         * Removes the log-alpha clamp (the default).
         *
         * @return this builder
         */
        public Builder noLogAlphaClamp() {
            this.logAlphaClamp = OptionalDouble.empty();
            return this;
        }

        /** Test hook: swap the length ratio to {@code |y'|/|y|} (a known historical bug). Not public API. */
        Builder invertedLengthRatioForTesting(boolean inverted) {
            this.invertedLengthRatio = inverted;
            return this;
        }

        /**
         * The sampler.
         *
         * @return the sampler
         */
        public QAlignSampler build() {
            if (languageModel == null) {
                throw new IllegalArgumentException("languageModel is required");
            }
            if (rewardModel == null) {
                throw new IllegalArgumentException("rewardModel is required");
            }
            if (!(beta > 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("beta must be finite and > 0, got " + beta
                        + (Double.isNaN(beta) ? " (not set?)" : ""));
            }
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
            if (chainsPerPrompt <= 0) {
                throw new IllegalArgumentException("chainsPerPrompt must be >= 1, got " + chainsPerPrompt);
            }
            if (burnIn < 0 || burnIn > steps) {
                throw new IllegalArgumentException("burnIn must be in [0, steps=" + steps + "], got " + burnIn);
            }
            if (thin < 1) {
                throw new IllegalArgumentException("thin must be >= 1, got " + thin);
            }
            if (sampling == null) {
                throw new IllegalArgumentException("sampling must not be null");
            }
            if (proposal == null) {
                throw new IllegalArgumentException("proposal must not be null");
            }
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null (use QAlignListener.NONE)");
            }
            return new QAlignSampler(this);
        }
    }
}
