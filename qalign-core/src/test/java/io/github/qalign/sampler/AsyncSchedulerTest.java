package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.AsyncLanguageModel;
import io.github.qalign.model.AsyncRewardModel;
import io.github.qalign.model.BatchingLanguageModel;
import io.github.qalign.model.BatchingRewardModel;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Chains driven one by one through the asynchronous seams give exactly the lockstep chains. */
class AsyncSchedulerTest {

    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(5);
    final ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(3).parameterCount(50).build();
    final ToyRewardModel rm = ToyRewardModel.seeded(8, 1.0).withParameterCount(70);
    final List<Prompt> prompts = List.of(lm.prompt("a"), lm.prompt("bb"), lm.prompt("ccc"));
    final List<KeyedPrompt> keyed = prompts.stream().map(KeyedPrompt::of).toList();
    final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    QAlignSampler.Builder builder() {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.7).steps(25).chainsPerPrompt(4)
                .sampling(CFG);
    }

    /** Completes every request on a pool thread after a random delay: completions arrive in any order. */
    final class Shuffling implements AsyncLanguageModel, AsyncRewardModel {
        @Override
        public CompletableFuture<Generation> generate(GenerationRequest request, SamplingConfig config) {
            return CompletableFuture.supplyAsync(() -> {
                pause();
                return lm.generate(List.of(request), config).get(0);
            }, pool);
        }

        @Override
        public CompletableFuture<Reward> score(RewardRequest request) {
            return CompletableFuture.supplyAsync(() -> {
                pause();
                return rm.score(List.of(request)).get(0);
            }, pool);
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        private void pause() {
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                try {
                    Thread.sleep(0, ThreadLocalRandom.current().nextInt(200_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Records every listener event as comparable values. */
    static final class Recorder implements QAlignListener {
        final List<Object> events = new ArrayList<>();

        @Override
        public void onInit(InitEvent e) {
            events.add(List.of("init", e.states(), e.usage()));
        }

        @Override
        public void onStep(StepEvent e) {
            events.add(List.of(e.step(), e.chainSteps(), e.accepted(), e.moved(), e.usage()));
        }
    }

    @Test
    void asyncRunsEqualLockstepRunsEventForEvent() {
        for (QAlignSampler.Builder b : List.of(builder(), builder().proposal(Proposal.INDEPENDENCE),
                builder().initialCandidates(4))) {
            Recorder lock = new Recorder();
            QAlignResult expected = b.listener(lock).build().runKeyed(keyed, 9L);
            Recorder wrapped = new Recorder();
            QAlignResult viaAdapters = b.listener(wrapped).scheduling(Scheduling.ASYNC).build().runKeyed(keyed, 9L);
            Recorder shuffled = new Recorder();
            Shuffling s = new Shuffling();
            QAlignResult outOfOrder = b.listener(shuffled).asyncModels(s, s).build().runKeyed(keyed, 9L);
            assertThat(viaAdapters).isEqualTo(expected);
            assertThat(outOfOrder).isEqualTo(expected);
            assertThat(wrapped.events).isEqualTo(lock.events);
            assertThat(shuffled.events).isEqualTo(lock.events);
            assertThat(lock.events).hasSize(26);
        }
    }

    @Test
    void warmStartedAsyncRunsEqualLockstep() {
        TokenIds y = TokenIds.of(0, 1, lm.eosId());
        List<List<WarmStart>> starts = List.of(List.of(WarmStart.unscored(y, lm.decode(y), FinishReason.EOS)),
                List.of(WarmStart.of(new io.github.qalign.model.ScoredSample(y, "y", 2.0, FinishReason.EOS))),
                List.of(WarmStart.unscored(TokenIds.of(2), lm.decode(TokenIds.of(2)), FinishReason.LENGTH)));
        QAlignResult expected = builder().build().runFrom(keyed, starts, 4L);
        Shuffling s = new Shuffling();
        assertThat(builder().asyncModels(s, s).build().runFrom(keyed, starts, 4L)).isEqualTo(expected);
    }

    @Test
    void aChainNeverWaitsForAnotherChain() {
        // Requests of prompt "ccc" are held back until every other chain has finished all its steps. A lockstep
        // scheduler would wait forever for them; independent chains finish the other prompts first.
        int others = 2 * 4;
        int steps = 25;
        List<Runnable> held = new ArrayList<>();
        AsyncLanguageModel gate = new AsyncLanguageModel() {
            int othersDone;

            @Override
            public synchronized CompletableFuture<Generation> generate(GenerationRequest r, SamplingConfig c) {
                CompletableFuture<Generation> f = new CompletableFuture<>();
                Runnable complete = () -> pool.execute(() -> f.complete(lm.generate(List.of(r), c).get(0)));
                if (r.prompt().equals(prompts.get(2)) && othersDone < others * (steps + 1)) {
                    held.add(complete);
                } else {
                    if (!r.prompt().equals(prompts.get(2))) {
                        othersDone++;
                    }
                    complete.run();
                    if (othersDone == others * (steps + 1)) {
                        held.forEach(Runnable::run);
                        held.clear();
                    }
                }
                return f;
            }
        };
        Shuffling s = new Shuffling();
        QAlignResult r = builder().steps(steps).asyncModels(gate, s).build().runKeyed(keyed, 5L);
        assertThat(r).isEqualTo(builder().steps(steps).build().runKeyed(keyed, 5L));
        assertThat(held).isEmpty();
    }

    @Test
    void theAdapterBatchesPendingRequests() {
        lm.resetCounters();
        rm.resetCounters();
        // The adapter's first model call waits until all 24 initial requests were submitted, so requests are
        // pending while it runs and the next calls must batch them (without the gate, a worker that keeps up with
        // the submissions sees one request at a time: that made this test depend on timing).
        java.util.concurrent.CountDownLatch initialSubmitted = new java.util.concurrent.CountDownLatch(3 * 8);
        java.util.concurrent.atomic.AtomicBoolean firstCall = new java.util.concurrent.atomic.AtomicBoolean(true);
        io.github.qalign.model.LanguageModel gated = new io.github.qalign.model.LanguageModel() {
            @Override
            public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
                if (firstCall.getAndSet(false)) {
                    try {
                        assertThat(initialSubmitted.await(30, TimeUnit.SECONDS)).as("initial requests").isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                }
                return lm.generate(requests, config);
            }

            @Override
            public Prompt prompt(String text) {
                return lm.prompt(text);
            }

            @Override
            public String decode(TokenIds completion) {
                return lm.decode(completion);
            }

            @Override
            public long parameterCount() {
                return lm.parameterCount();
            }
        };
        try (BatchingLanguageModel inner = BatchingLanguageModel.of(gated, 5, 1);
             BatchingRewardModel arm = BatchingRewardModel.of(rm, 5, 1)) {
            AsyncLanguageModel alm = new AsyncLanguageModel() {
                @Override
                public CompletableFuture<Generation> generate(GenerationRequest request, SamplingConfig config) {
                    initialSubmitted.countDown();
                    return inner.generate(request, config);
                }

                @Override
                public long parameterCount() {
                    return inner.parameterCount();
                }
            };
            QAlignResult r = builder().chainsPerPrompt(8).asyncModels(alm, arm).build().runKeyed(keyed, 2L);
            assertThat(r).isEqualTo(builder().chainsPerPrompt(8).build().runKeyed(keyed, 2L));
        }
        long requests = 3L * 8 * 26 * 2; // two runs
        assertThat(lm.generateRequests()).isEqualTo(requests);
        // the async run used batches of at most 5, and batched the requests pending behind its first call (at
        // least 19 of the 24 initial ones, in 4 calls, saving 15); the lockstep run used 26 calls
        assertThat(lm.generateCalls()).isBetween(26L + (3L * 8 * 26 + 4) / 5, 26L + 3L * 8 * 26 - 15);
    }

    @Test
    void adapterGroupsByConfigAndFailsClearly() throws Exception {
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        List<Integer> caps = Collections.synchronizedList(new ArrayList<>());
        io.github.qalign.model.LanguageModel recording = new io.github.qalign.model.LanguageModel() {
            @Override
            public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
                batchSizes.add(requests.size());
                caps.add(config.maxCompletionTokens());
                return lm.generate(requests, config);
            }

            @Override
            public Prompt prompt(String text) {
                return lm.prompt(text);
            }

            @Override
            public String decode(TokenIds completion) {
                return lm.decode(completion);
            }
        };
        SamplingConfig other = CFG.withMaxCompletionTokens(2);
        try (BatchingLanguageModel alm = BatchingLanguageModel.of(recording, 3, 2)) {
            List<CompletableFuture<Generation>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                GenerationRequest req = GenerationRequest.fresh(prompts.get(i % 3), i);
                fs.add(alm.generate(req, i % 2 == 0 ? CFG : other));
            }
            for (int i = 0; i < 20; i++) {
                Generation g = fs.get(i).get(10, TimeUnit.SECONDS);
                GenerationRequest req = GenerationRequest.fresh(prompts.get(i % 3), i);
                assertThat(g).isEqualTo(lm.generate(List.of(req), i % 2 == 0 ? CFG : other).get(0));
            }
            assertThat(batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, 3));
            assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
            assertThat(caps).contains(2, 5);
        }
        io.github.qalign.model.LanguageModel shortChanged = new FaultyLanguageModel(lm, 0, (q, g) -> List.of());
        try (BatchingLanguageModel alm = BatchingLanguageModel.of(shortChanged, 8, 1)) {
            CompletableFuture<Generation> f = alm.generate(GenerationRequest.fresh(prompts.get(0), 1), CFG);
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelException.class)
                    .hasMessageContaining("batch size mismatch");
        }
        BatchingLanguageModel closed = BatchingLanguageModel.of(lm, 8, 1);
        closed.close();
        assertThat(closed.generate(GenerationRequest.fresh(prompts.get(0), 1), CFG)).isCompletedExceptionally();
    }

    @Test
    void modelFailuresAndContractViolationsNameTheChain() {
        AsyncRewardModel failing = r -> r.completion().length() > 3
                ? CompletableFuture.failedFuture(new ModelException("server said 503"))
                : CompletableFuture.completedFuture(Reward.of(1.0));
        Shuffling s = new Shuffling();
        assertThatThrownBy(() -> builder().asyncModels(s, failing).build().runKeyed(keyed, 1L))
                .isInstanceOf(ModelException.class).hasMessageContaining("503");
        AsyncLanguageModel empty = (r, c) -> CompletableFuture.completedFuture(new Generation(r.prefix(),
                r.prefix().length(), "", FinishReason.EOS, io.github.qalign.model.TokenUsage.ZERO));
        assertThatThrownBy(() -> builder().asyncModels(empty, s).build().runKeyed(keyed, 1L))
                .isInstanceOf(ModelException.class).hasMessageContaining("empty continuation")
                .hasMessageContaining("prompt 0 chain 0 (initial sample)");
        AsyncRewardModel nan = r -> CompletableFuture.completedFuture(Reward.of(Double.NaN));
        assertThatThrownBy(() -> builder().asyncModels(s, nan).build().runKeyed(keyed, 1L))
                .isInstanceOf(ModelException.class).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> builder().asyncModels(s, null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("asyncModels");
    }

    @Test
    void completedFuturesDoNotRecurse() {
        // Futures that are already complete must not build a call stack per step (30k steps here).
        AsyncLanguageModel now = (r, c) -> CompletableFuture.completedFuture(lm.generate(List.of(r), c).get(0));
        AsyncRewardModel nowRm = r -> CompletableFuture.completedFuture(rm.score(List.of(r)).get(0));
        QAlignResult r = builder().chainsPerPrompt(1).steps(30_000).asyncModels(now, nowRm).build()
                .run(prompts.get(0), 3L);
        assertThat(r.prompt(0).chains().get(0).stepCount()).isEqualTo(30_000);
        ComputeUsage u = r.usage();
        assertThat(u.lm().generatedTokens()).isPositive();
    }
}
