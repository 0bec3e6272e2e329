package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One QAlign chain as a small state machine with its own random stream: initial state, then per step
 * {@link #nextRequest()} (generate) and {@link #complete} (score known, accept or reject). The lockstep and the
 * asynchronous schedulers drive the same machine, so they produce identical chains: every draw of a chain comes from
 * its own stream, in the chain's own order, whatever the order in which chains are advanced.
 *
 * <p>Not thread-safe: a scheduler must not call two methods of one chain concurrently (calls handed from one thread
 * to another through a {@code CompletableFuture} are ordered, which suffices).
 */
final class Chain {

    private final QAlignSampler sampler;
    final int promptIndex;
    final int chainIndex;
    final Prompt prompt;
    private final SplittableRandom rng;
    private ScoredSample initial;
    private ComputeUsage initialUsage;
    private ScoredSample state;
    private final List<ChainStep> history;
    private int pendingIndex = -1;
    private final WarmStart start;
    private final int candidates;

    /**
     * @param start      a given initial state, or null for a drawn one
     * @param candidates base samples for the importance-resampled start (1: a plain p_LM sample); ignored with a start
     */
    Chain(QAlignSampler sampler, int promptIndex, int chainIndex, Prompt prompt, SplittableRandom rng,
          WarmStart start, int candidates) {
        this.sampler = sampler;
        this.start = start;
        this.candidates = candidates;
        this.promptIndex = promptIndex;
        this.chainIndex = chainIndex;
        this.prompt = prompt;
        this.rng = rng;
        this.history = new ArrayList<>(sampler.steps());
    }

    /**
     * The initial generation requests: none for a given start; else {@code candidates} fresh requests whose seeds are
     * the chain's first {@code candidates} draws.
     */
    List<GenerationRequest> initRequests() {
        if (start != null) {
            return List.of();
        }
        List<GenerationRequest> out = new ArrayList<>(candidates);
        for (int j = 0; j < candidates; j++) {
            out.add(GenerationRequest.fresh(prompt, rng.nextLong()));
        }
        return out;
    }

    /** The request scoring an unscored given start, or null when nothing needs scoring. */
    RewardRequest startRewardRequest() {
        return start != null && start.reward().isEmpty()
                ? new RewardRequest(prompt, start.completion(), start.text()) : null;
    }

    /** A given start's scored state: its own reward, or {@code scored} when it came without one. */
    ScoredSample startSample(double scored) {
        return start.withReward(start.reward().isPresent() ? start.reward().getAsDouble() : scored);
    }

    /**
     * Sets the initial state: {@code samples} are the scored answers to {@link #initRequests()} (or, for a given start,
     * the one start state) with their usages. With several candidates, one is drawn with probability
     * {@code softmax(r/beta)} using one {@code nextDouble()} (sampling-importance-resampling); the initial usage is the
     * sum over all candidates.
     */
    void initDone(List<ScoredSample> samples, List<ComputeUsage> usages) {
        ComputeUsage total = usages.get(0);
        for (int j = 1; j < usages.size(); j++) {
            total = total.plus(usages.get(j));
        }
        initial = samples.get(samples.size() == 1 ? 0 : resample(samples, sampler.beta(), rng.nextDouble()));
        initialUsage = total;
        state = initial;
    }

    /** Index drawn with probability softmax(r/beta) by the inverse CDF at {@code u} in [0, 1). */
    static int resample(List<ScoredSample> samples, double beta, double u) {
        double max = Double.NEGATIVE_INFINITY;
        for (ScoredSample s : samples) {
            max = Math.max(max, s.reward());
        }
        double[] w = new double[samples.size()];
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            w[j] = Math.exp((samples.get(j).reward() - max) / beta); // <= 1, the best is exactly 1
            sum += w[j];
        }
        double target = u * sum;
        double cum = 0;
        for (int j = 0; j < w.length; j++) {
            cum += w[j];
            if (target < cum) {
                return j;
            }
        }
        // rounding: u * sum can reach the final cumulative sum; take the last index with positive weight
        for (int j = w.length - 1; j >= 0; j--) {
            if (w[j] > 0) {
                return j;
            }
        }
        return w.length - 1;
    }

    ScoredSample initial() {
        return initial;
    }

    /** The record of step {@code t}, 1-based, once done. */
    ChainStep step(int t) {
        return history.get(t - 1);
    }

    ScoredSample state() {
        return state;
    }

    /** Steps completed so far. */
    int stepsDone() {
        return history.size();
    }

    boolean finished() {
        return history.size() == sampler.steps();
    }

    /** Draws the step's index (suffix proposal only), then the request's seed; returns the request. */
    GenerationRequest nextRequest() {
        int len = state.completion().length();
        pendingIndex = sampler.proposal() == Proposal.SUFFIX ? rng.nextInt(len) : 0;
        return new GenerationRequest(prompt, state.completion().prefix(pendingIndex), rng.nextLong());
    }

    /** Accepts or rejects the scored candidate of the pending request (draws one uniform); returns the step. */
    ChainStep complete(ScoredSample candidate, ComputeUsage usage) {
        if (pendingIndex < 0) {
            throw new IllegalStateException("no pending request for " + where("step " + (history.size() + 1)));
        }
        ScoredSample cur = state;
        double logAlpha = sampler.logAlpha(cur.reward(), candidate.reward(), cur.completion().length(),
                candidate.completion().length());
        double u = rng.nextDouble();
        boolean accepted = Math.log(u) < logAlpha;
        if (accepted) {
            state = candidate;
        }
        ChainStep step = new ChainStep(history.size() + 1, pendingIndex, cur.completion().length(), cur.reward(),
                candidate, logAlpha, accepted, state, usage);
        history.add(step);
        pendingIndex = -1;
        return step;
    }

    ChainResult result(int burnIn, int thin) {
        return new ChainResult(promptIndex, chainIndex, initial, initialUsage, history, burnIn, thin);
    }

    String where(String phase) {
        return "prompt " + promptIndex + " chain " + chainIndex + " (" + phase + ")";
    }
}
