package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.AsyncLanguageModel;
import io.github.qalign.model.AsyncRewardModel;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Drives every chain independently through the asynchronous model seams. All chain logic (draws, acceptance,
 * listener calls) runs on the calling thread, in an event loop fed by the models' completions: a completion only
 * posts an event, so no chain state is touched concurrently and no recursion builds up however the futures complete.
 * A chain has at most one request in flight (or its initial candidates), and submits the next as soon as the
 * previous one is scored. Because each chain draws only from its own stream, the chains are those of the lockstep
 * scheduler, whatever the completion order.
 */
final class AsyncScheduler {

    private final QAlignSampler sampler;
    private final AsyncLanguageModel lm;
    private final AsyncRewardModel rm;
    private final SamplingConfig sampling;
    private final long lmParams;
    private final long rmParams;
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();

    private List<Chain> chains;
    private List<Prompt> prompts;
    private int running;
    private int initialized;
    private ComputeUsage initTotal;
    private ComputeUsage total;
    private int[] stepDone;
    private int[] stepAccepted;
    private int[] stepMoved;
    private ComputeUsage[] stepUsage;

    AsyncScheduler(QAlignSampler sampler, AsyncLanguageModel lm, AsyncRewardModel rm, SamplingConfig sampling,
                   long lmParams, long rmParams) {
        this.sampler = sampler;
        this.lm = lm;
        this.rm = rm;
        this.sampling = sampling;
        this.lmParams = lmParams;
        this.rmParams = rmParams;
    }

    QAlignResult run(List<Prompt> prompts, List<Chain> chains) {
        this.prompts = prompts;
        this.chains = chains;
        int steps = sampler.steps();
        this.running = chains.size();
        this.initTotal = ComputeUsage.none(lmParams, rmParams);
        this.total = initTotal;
        this.stepDone = new int[steps + 1];
        this.stepAccepted = new int[steps + 1];
        this.stepMoved = new int[steps + 1];
        this.stepUsage = new ComputeUsage[steps + 1];
        for (Chain c : chains) {
            init(c);
        }
        while (running > 0) {
            Runnable e;
            try {
                e = events.take();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for model results");
            }
            e.run(); // a model failure or a listener exception propagates and aborts the run
        }
        return sampler.finish(prompts, chains, total);
    }

    /** Runs {@code then} on the event loop with the future's value, or rethrows its failure there. */
    private <T> void whenDone(CompletableFuture<T> f, String what, Consumer<T> then) {
        if (f == null) {
            events.add(() -> {
                throw new ModelException(what + ": the asynchronous model returned null instead of a future");
            });
            return;
        }
        f.whenComplete((v, ex) -> events.add(() -> {
            if (ex != null) {
                throw failure(ex, what);
            }
            then.accept(v);
        }));
    }

    private static RuntimeException failure(Throwable ex, String what) {
        Throwable cause = ex;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new ModelException(what + ": " + cause, cause);
    }

    private CompletableFuture<Generation> generate(GenerationRequest r) {
        try {
            return lm.generate(r, sampling);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Reward> score(RewardRequest r) {
        try {
            return rm.score(r);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void init(Chain c) {
        String where = c.where("initial sample");
        List<GenerationRequest> reqs = c.initRequests();
        if (reqs.isEmpty()) { // a given start
            RewardRequest rr = c.startRewardRequest();
            if (rr == null) {
                initDone(c, List.of(c.startSample(Double.NaN)), List.of(ComputeUsage.none(lmParams, rmParams)));
            } else {
                whenDone(score(rr), where, r -> {
                    ModelCalls.checkReward(r, where);
                    initDone(c, List.of(c.startSample(r.value())),
                            List.of(new ComputeUsage(TokenUsage.ZERO, r.usage(), lmParams, rmParams)));
                });
            }
            return;
        }
        int n = reqs.size();
        ScoredSample[] samples = new ScoredSample[n];
        ComputeUsage[] usages = new ComputeUsage[n];
        int[] pending = {n};
        for (int j = 0; j < n; j++) {
            int jj = j;
            GenerationRequest req = reqs.get(j);
            whenDone(generate(req), where, g -> {
                ModelCalls.checkGeneration(req, g, sampling.maxCompletionTokens(), where);
                whenDone(score(RewardRequest.of(req.prompt(), g)), where, r -> {
                    ModelCalls.checkReward(r, where);
                    samples[jj] = BatchScorer.sample(g, r);
                    usages[jj] = new ComputeUsage(g.usage(), r.usage(), lmParams, rmParams);
                    if (--pending[0] == 0) {
                        initDone(c, List.of(samples), List.of(usages));
                    }
                });
            });
        }
    }

    private void initDone(Chain c, List<ScoredSample> samples, List<ComputeUsage> usages) {
        c.initDone(samples, usages);
        for (ComputeUsage u : usages) {
            initTotal = initTotal.plus(u);
            total = total.plus(u);
        }
        if (++initialized == chains.size()) {
            List<ScoredSample> states = new ArrayList<>(chains.size());
            for (Chain ch : chains) {
                states.add(ch.initial());
            }
            sampler.listener().onInit(new QAlignListener.InitEvent(prompts, sampler.chainsPerPrompt(),
                    sampler.steps(), states, initTotal));
        }
        next(c);
    }

    private void next(Chain c) {
        if (c.finished()) {
            running--;
            return;
        }
        int t = c.stepsDone() + 1;
        String where = c.where("step " + t);
        GenerationRequest req = c.nextRequest();
        whenDone(generate(req), where, g -> {
            ModelCalls.checkGeneration(req, g, sampling.maxCompletionTokens(), where);
            whenDone(score(RewardRequest.of(req.prompt(), g)), where, r -> {
                ModelCalls.checkReward(r, where);
                ScoredSample before = c.state();
                ComputeUsage u = new ComputeUsage(g.usage(), r.usage(), lmParams, rmParams);
                ChainStep st = c.complete(BatchScorer.sample(g, r), u);
                stepDone(t, st, !st.state().completion().equals(before.completion()), u);
                next(c);
            });
        });
    }

    private void stepDone(int t, ChainStep st, boolean moved, ComputeUsage u) {
        total = total.plus(u);
        stepUsage[t] = stepUsage[t] == null ? u : stepUsage[t].plus(u);
        stepAccepted[t] += st.accepted() ? 1 : 0;
        stepMoved[t] += moved ? 1 : 0;
        if (++stepDone[t] == chains.size()) { // the last chain to finish step t: every chain has done it
            List<ChainStep> records = new ArrayList<>(chains.size());
            for (Chain ch : chains) {
                records.add(ch.step(t));
            }
            sampler.listener().onStep(new QAlignListener.StepEvent(t, sampler.steps(), sampler.chainsPerPrompt(),
                    records, stepAccepted[t], stepMoved[t], stepUsage[t]));
            stepUsage[t] = null;
        }
    }
}
