package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
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

    Chain(QAlignSampler sampler, int promptIndex, int chainIndex, Prompt prompt, SplittableRandom rng) {
        this.sampler = sampler;
        this.promptIndex = promptIndex;
        this.chainIndex = chainIndex;
        this.prompt = prompt;
        this.rng = rng;
        this.history = new ArrayList<>(sampler.steps());
    }

    /** The initial generation requests: one fresh request (its seed is the chain's first draw). */
    List<GenerationRequest> initRequests() {
        return List.of(GenerationRequest.fresh(prompt, rng.nextLong()));
    }

    /** Sets the initial state from the scored answers to {@link #initRequests()}. */
    void initDone(List<ScoredSample> samples, List<ComputeUsage> usages) {
        initial = samples.get(0);
        initialUsage = usages.get(0);
        state = initial;
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
