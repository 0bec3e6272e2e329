package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.AsyncLanguageModel;
import io.github.qalign.model.AsyncRewardModel;
import io.github.qalign.model.BatchingLanguageModel;
import io.github.qalign.model.BatchingRewardModel;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
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
 * <p>By default ({@link Scheduling#LOCKSTEP}) all chains of all prompts advance in lockstep: the initial states take
 * one {@code generate} and one {@code score} batch call, and so does every step, whatever the number of prompts and
 * chains. (A backend that cannot run a whole batch at once splits it internally; the sampler stays one call per
 * step.) With {@link Scheduling#ASYNC} every chain advances on its own through the asynchronous model seams, each
 * chain submitting its next request as soon as its previous one is scored; the chains are identical.
 *
 * <p>Random draws: chain {@code k} of a prompt with key {@code key} (see {@link KeyedPrompt}) draws only from its own
 * stream {@link RandomStreams#stream(long, long, long) RandomStreams.stream(seed, key, k)}, in this order: one
 * {@code nextLong()}, the seed of the initial request (with {@link Builder#initialCandidates(int) initialCandidates(n)},
 * {@code n > 1}: {@code n} request seeds, then one {@code nextDouble()} picking the start; with a given start
 * ({@link #runFrom}): nothing); then per step: {@code nextInt(|y|)} (suffix proposal only),
 * {@code nextLong()} (the step's request seed, {@link GenerationRequest#seed()}: the language model draws the tokens
 * from it), {@code nextDouble()} (the acceptance uniform, always drawn, even when {@code log alpha >= 0}). The reward
 * model must be deterministic. Hence a prompt's chains depend only on (seed, key), the models and the configuration,
 * never on the other prompts of the run, their order, the batch size or the thread; and a run of {@code k} steps is
 * the first {@code k} steps of a longer run with the same seed.
 *
 * <p>Instances are immutable; concurrent {@code run} calls are safe if the models and the listener are (each call
 * each draws from its own streams). Create them with {@link #builder()}.
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
    private final int initialCandidates;
    private final Scheduling scheduling;
    private final AsyncLanguageModel asyncLanguageModel;
    private final AsyncRewardModel asyncRewardModel;

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
        this.initialCandidates = b.initialCandidates;
        this.scheduling = b.scheduling;
        this.asyncLanguageModel = b.asyncLanguageModel;
        this.asyncRewardModel = b.asyncRewardModel;
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
        b.initialCandidates = initialCandidates;
        b.scheduling = scheduling;
        b.asyncLanguageModel = asyncLanguageModel;
        b.asyncRewardModel = asyncRewardModel;
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
     * Base samples per chain for the importance-resampled initial state (1: a plain {@code p_LM} sample).
     *
     * @return the number of initial candidates per chain
     */
    public int initialCandidates() {
        return initialCandidates;
    }

    /**
     * How the chains are driven.
     *
     * @return the scheduling
     */
    public Scheduling scheduling() {
        return scheduling;
    }

    QAlignListener listener() {
        return listener;
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
     * Runs the chains of one prompt, keyed by its content.
     *
     * @param prompt the prompt
     * @param seed   the run seed
     * @return the chains of the prompt, as a one-prompt result
     */
    public QAlignResult run(Prompt prompt, long seed) {
        Objects.requireNonNull(prompt, "prompt");
        return run(List.of(prompt), seed);
    }

    /**
     * Runs the chains of every prompt, each prompt keyed by its content ({@link KeyedPrompt#of(Prompt)}): equal
     * prompts get identical chains.
     *
     * @param prompts the prompts; not empty, no null element
     * @param seed    the run seed
     * @return the chains, per prompt in input order
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public QAlignResult run(List<Prompt> prompts, long seed) {
        return runKeyed(ModelCalls.keyed(prompts), seed);
    }

    /**
     * Convenience for callers holding a generator: draws ONE {@code nextLong()} from {@code rng} as the run seed and
     * calls {@link #run(Prompt, long)}.
     *
     * @param prompt the prompt
     * @param rng    the source of the run seed
     * @return the chains of the prompt, as a one-prompt result
     */
    public QAlignResult run(Prompt prompt, RandomGenerator rng) {
        Objects.requireNonNull(prompt, "prompt");
        return run(List.of(prompt), rng);
    }

    /**
     * Convenience for callers holding a generator: draws ONE {@code nextLong()} from {@code rng} as the run seed and
     * calls {@link #run(List, long)}. A prompt's chains then depend on that seed and the prompt only; to split a
     * prompt set over several calls reproducibly, pass the same {@code long} seed to each call instead.
     *
     * @param prompts the prompts; not empty, no null element
     * @param rng     the source of the run seed
     * @return the chains, per prompt in input order
     */
    public QAlignResult run(List<Prompt> prompts, RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        List<KeyedPrompt> keyed = ModelCalls.keyed(prompts);
        return runKeyed(keyed, rng.nextLong());
    }

    /**
     * Runs {@code chainsPerPrompt} chains for every prompt. Chain {@code k} of a prompt with key {@code key} draws
     * every random number from its own stream {@link RandomStreams#stream(long, long, long)
     * RandomStreams.stream(seed, key, k)}, so its states depend only on (seed, key, k), the models and this
     * configuration: never on the other prompts, their number or order, the batching or the thread.
     *
     * @param prompts the keyed prompts; not empty, no null element
     * @param seed    the run seed
     * @return the chains, per prompt in input order
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public QAlignResult runKeyed(List<KeyedPrompt> prompts, long seed) {
        ModelCalls.checkRunArguments(prompts, chainsPerPrompt, "chainsPerPrompt");
        return drive(prompts, chains(prompts, null, seed));
    }

    /**
     * Runs {@code chainsPerPrompt} chains for every prompt from given initial states (warm starts): chain {@code k} of
     * prompt {@code p} starts from {@code starts.get(p).get(k % starts.get(p).size())}. A start without a reward is
     * scored first (all such starts in one {@code score} call, counted in the chain's initial usage); a start with a
     * reward is used as is and costs nothing. No random number is drawn for a given start, so chain {@code k}'s stream
     * begins with its first step. The stationary distribution is unchanged; only the transient (the burn-in needed)
     * depends on the start. {@link Builder#initialCandidates(int)} does not apply to given starts.
     *
     * @param prompts the keyed prompts; not empty, no null element
     * @param starts  per prompt, a non-empty list of starting states (one per chain, or fewer to be reused cyclically)
     * @param seed    the run seed
     * @return the chains, per prompt in input order
     * @throws IllegalArgumentException if the lists do not match, a start is null or longer than the total cap
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    public QAlignResult runFrom(List<KeyedPrompt> prompts, List<List<WarmStart>> starts, long seed) {
        ModelCalls.checkRunArguments(prompts, chainsPerPrompt, "chainsPerPrompt");
        Objects.requireNonNull(starts, "starts");
        if (starts.size() != prompts.size()) {
            throw new IllegalArgumentException("starts has " + starts.size() + " entries for " + prompts.size()
                    + " prompts (one list per prompt)");
        }
        int cap = sampling.maxCompletionTokens();
        for (int p = 0; p < starts.size(); p++) {
            List<WarmStart> ws = starts.get(p);
            if (ws == null || ws.isEmpty()) {
                throw new IllegalArgumentException("starts[" + p + "] is " + (ws == null ? "null" : "empty")
                        + ": give at least one starting state per prompt");
            }
            for (int j = 0; j < ws.size(); j++) {
                WarmStart w = ws.get(j);
                if (w == null) {
                    throw new IllegalArgumentException("starts[" + p + "][" + j + "] is null");
                }
                if (w.completion().length() > cap) {
                    throw new IllegalArgumentException("starts[" + p + "][" + j + "] has " + w.completion().length()
                            + " tokens, above the total cap maxCompletionTokens=" + cap);
                }
            }
        }
        return drive(prompts, chains(prompts, starts, seed));
    }

    private List<Chain> chains(List<KeyedPrompt> prompts, List<List<WarmStart>> starts, long seed) {
        List<Chain> chains = new ArrayList<>(prompts.size() * chainsPerPrompt);
        for (int p = 0; p < prompts.size(); p++) {
            KeyedPrompt kp = prompts.get(p);
            for (int k = 0; k < chainsPerPrompt; k++) {
                WarmStart start = starts == null ? null : starts.get(p).get(k % starts.get(p).size());
                chains.add(new Chain(this, p, k, kp.prompt(), RandomStreams.stream(seed, kp.key(), k), start,
                        initialCandidates));
            }
        }
        return chains;
    }

    private QAlignResult drive(List<KeyedPrompt> keyed, List<Chain> chains) {
        if (scheduling == Scheduling.LOCKSTEP) {
            return runLockstep(keyed, chains);
        }
        List<Prompt> prompts = new ArrayList<>(keyed.size());
        for (KeyedPrompt kp : keyed) {
            prompts.add(kp.prompt());
        }
        long lmParams = languageModel.parameterCount();
        long rmParams = rewardModel.parameterCount();
        if (asyncLanguageModel != null) {
            return new AsyncScheduler(this, asyncLanguageModel, asyncRewardModel, sampling, lmParams, rmParams)
                    .run(prompts, chains);
        }
        try (BatchingLanguageModel alm = BatchingLanguageModel.of(languageModel, Integer.MAX_VALUE, 1);
             BatchingRewardModel arm = BatchingRewardModel.of(rewardModel, Integer.MAX_VALUE, 1)) {
            return new AsyncScheduler(this, alm, arm, sampling, lmParams, rmParams).run(prompts, chains);
        }
    }

    private QAlignResult runLockstep(List<KeyedPrompt> keyed, List<Chain> chains) {
        final int nChains = chains.size();
        final BatchScorer scorer = new BatchScorer(languageModel, rewardModel, sampling, Integer.MAX_VALUE);
        List<Prompt> prompts = new ArrayList<>(keyed.size());
        for (KeyedPrompt kp : keyed) {
            prompts.add(kp.prompt());
        }

        // y^0: at most one generate call (every chain's initial requests) and one score call (their generations and
        // the unscored warm starts).
        List<GenerationRequest> genReq = new ArrayList<>();
        List<Chain> genOwner = new ArrayList<>();
        for (Chain c : chains) {
            for (GenerationRequest r : c.initRequests()) {
                genReq.add(r);
                genOwner.add(c);
            }
        }
        List<Generation> gens = genReq.isEmpty() ? List.of()
                : scorer.generate(genReq, j -> genOwner.get(j).where("initial sample"));
        List<RewardRequest> rreq = new ArrayList<>();
        List<Chain> rOwner = new ArrayList<>();
        for (int j = 0; j < gens.size(); j++) {
            rreq.add(RewardRequest.of(genReq.get(j).prompt(), gens.get(j)));
            rOwner.add(genOwner.get(j));
        }
        for (Chain c : chains) {
            RewardRequest r = c.startRewardRequest();
            if (r != null) {
                rreq.add(r);
                rOwner.add(c);
            }
        }
        List<Reward> rewards = rreq.isEmpty() ? List.of()
                : scorer.score(rreq, j -> rOwner.get(j).where("initial sample"));
        ComputeUsage initTotal = scorer.none();
        List<ScoredSample> initStates = new ArrayList<>(nChains);
        int g = 0;
        int extra = gens.size();
        for (Chain c : chains) {
            List<ScoredSample> samples = new ArrayList<>();
            List<ComputeUsage> usages = new ArrayList<>();
            while (g < gens.size() && genOwner.get(g) == c) {
                samples.add(BatchScorer.sample(gens.get(g), rewards.get(g)));
                usages.add(scorer.usage(gens.get(g), rewards.get(g)));
                g++;
            }
            if (samples.isEmpty()) { // a given start
                if (c.startRewardRequest() != null) {
                    Reward r = rewards.get(extra++);
                    samples.add(c.startSample(r.value()));
                    usages.add(new ComputeUsage(TokenUsage.ZERO, r.usage(), scorer.lmParams(), scorer.rmParams()));
                } else {
                    samples.add(c.startSample(Double.NaN));
                    usages.add(scorer.none());
                }
            }
            c.initDone(samples, usages);
            initStates.add(c.state());
            for (ComputeUsage u : usages) {
                initTotal = initTotal.plus(u);
            }
        }
        listener.onInit(new QAlignListener.InitEvent(prompts, chainsPerPrompt, steps, initStates, initTotal));

        ComputeUsage total = initTotal;
        for (int t = 1; t <= steps; t++) {
            final String phase = "step " + t;
            List<GenerationRequest> req = new ArrayList<>(nChains);
            for (Chain c : chains) {
                req.add(c.nextRequest());
            }
            BatchScorer.Batch batch = scorer.run(req, j -> chains.get(j).where(phase));
            List<ChainStep> stepRecords = new ArrayList<>(nChains);
            int acceptedCount = 0;
            int movedCount = 0;
            for (int c = 0; c < nChains; c++) {
                TokenIds before = chains.get(c).state().completion();
                ChainStep rec = chains.get(c).complete(batch.samples().get(c), batch.usages().get(c));
                if (rec.accepted()) {
                    acceptedCount++;
                    if (!rec.state().completion().equals(before)) {
                        movedCount++;
                    }
                }
                stepRecords.add(rec);
            }
            ComputeUsage stepTotal = batch.total();
            total = total.plus(stepTotal);
            listener.onStep(new QAlignListener.StepEvent(t, steps, chainsPerPrompt, stepRecords, acceptedCount,
                    movedCount, stepTotal));
        }
        return finish(prompts, chains, total);
    }

    QAlignResult finish(List<Prompt> prompts, List<Chain> chains, ComputeUsage total) {
        List<PromptResult> results = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            List<ChainResult> cr = new ArrayList<>(chainsPerPrompt);
            for (int k = 0; k < chainsPerPrompt; k++) {
                cr.add(chains.get(p * chainsPerPrompt + k).result(burnIn, thin));
            }
            results.add(new PromptResult(p, prompts.get(p), cr));
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
        private int initialCandidates = 1;
        private Scheduling scheduling = Scheduling.LOCKSTEP;
        private AsyncLanguageModel asyncLanguageModel;
        private AsyncRewardModel asyncRewardModel;

        private Builder() {
        }

        /**
         * How chains are driven (default {@link Scheduling#LOCKSTEP}). Both give identical chains for the same seed.
         *
         * @param scheduling lockstep batches, or independent chains through the asynchronous seams
         * @return this builder
         */
        public Builder scheduling(Scheduling scheduling) {
            this.scheduling = scheduling;
            return this;
        }

        /**
         * Asynchronous forms of the models for {@link Scheduling#ASYNC} (e.g. a remote server pool or a backend with
         * continuous batching); sets the scheduling to {@code ASYNC}. They must sample and score exactly as the batch
         * models set with {@link #languageModel} and {@link #rewardModel} (which still provide parameter counts).
         * Without them, {@code ASYNC} wraps the batch models in {@link BatchingLanguageModel} and
         * {@link BatchingRewardModel} for each run.
         *
         * @param lm the asynchronous language model
         * @param rm the asynchronous reward model
         * @return this builder
         */
        public Builder asyncModels(AsyncLanguageModel lm, AsyncRewardModel rm) {
            this.asyncLanguageModel = lm;
            this.asyncRewardModel = rm;
            this.scheduling = Scheduling.ASYNC;
            return this;
        }

        /**
         * Draws each chain's initial state by sampling-importance-resampling: {@code n} independent {@code p_LM}
         * samples, scored, one of them picked with probability {@code softmax(r/beta)} (default 1: a plain
         * {@code p_LM} sample, the paper's start). The initial state's distribution moves from {@code p_LM} towards
         * the target {@code pi} as {@code n} grows, which shortens the burn-in; the stationary distribution is
         * unchanged. All {@code n} samples are counted in the chain's initial usage (its compute). Random draws: the
         * {@code n} request seeds, then one {@code nextDouble()} for the pick (none when {@code n = 1}).
         *
         * @param n base samples per chain, &gt;= 1
         * @return this builder
         */
        public Builder initialCandidates(int n) {
            this.initialCandidates = n;
            return this;
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
            if (scheduling == null) {
                throw new IllegalArgumentException("scheduling must not be null");
            }
            if ((asyncLanguageModel == null) != (asyncRewardModel == null)) {
                throw new IllegalArgumentException("asyncModels needs both an asynchronous language model and an"
                        + " asynchronous reward model");
            }
            if (initialCandidates < 1) {
                throw new IllegalArgumentException("initialCandidates must be >= 1, got " + initialCandidates);
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
