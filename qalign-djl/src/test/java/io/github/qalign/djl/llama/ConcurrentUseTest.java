package io.github.qalign.djl.llama;

import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.QAlignSampler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several threads hammering one model, one cache, one language model, one reward model: results equal the
 * single-threaded ones, a close during use gives {@link IllegalStateException}s, and the JVM never crashes inside
 * libtorch (before the model-level lock, two threads on one {@link KvCache} ended in SIGSEGV).
 */
class ConcurrentUseTest {

    static final LlamaConfig LM = TinyWeights.config(LlamaConfig.CAUSAL_LM, 23, 32, 48, 2, 4, 2, 128, null, false);
    static final LlamaConfig RM = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 23, 32, 40, 2, 4, 2, 128,
            null, false);
    static final int THREADS = 4;

    /** Runs {@code task(t)} on {@link #THREADS} threads started together; returns the results in thread order. */
    static <T> List<T> onThreads(IntFunction<Callable<T>> task) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Callable<T> c = task.apply(t);
                fs.add(ex.submit(() -> {
                    go.await();
                    return c.call();
                }));
            }
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            ex.shutdownNow();
        }
    }

    /** Each thread owns two slots of one shared cache: prefill, decode, copy a prefix, truncate, many rounds. */
    @Test
    void threadsSharingOneModelAndOneCacheGetTheSingleThreadedLogits() throws Exception {
        try (LlamaModel model = LlamaModelTest.model(new TinyWeights(LM, 5));
             KvCache cache = model.newCache(2 * THREADS, 64)) {
            int rounds = 12;
            IntFunction<Callable<List<float[]>>> work = t -> () -> {
                SplittableRandom r = new SplittableRandom(t);
                int a = 2 * t;
                int b = 2 * t + 1;
                List<float[]> seen = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    cache.truncate(a, 0);
                    int[] prompt = LlamaModelTest.randomIds(r, 6 + r.nextInt(10), LM.vocabSize());
                    seen.add(model.forward(cache, new int[] {a}, new int[][] {prompt}, LlamaModel.Head.LOGITS)[0]);
                    cache.copyPrefix(a, b, 4);
                    seen.add(model.forward(cache, new int[] {a, b}, new int[][] {{3}, {7, 8}},
                            LlamaModel.Head.LOGITS)[1]);
                    assertThat(cache.length(b)).isEqualTo(6);
                    cache.truncate(b, 2);
                }
                return seen;
            };
            // reference: the same work, one thread after the other
            List<List<float[]>> sequential = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                sequential.add(work.apply(t).call());
            }
            List<List<float[]>> concurrent = onThreads(work);
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < sequential.get(t).size(); i++) {
                    // not bit-identical even single-threaded: the CPU GEMM's rounding depends on buffer alignment,
                    // which depends on the allocation history; a race would corrupt the cache by far more
                    assertThat(concurrent.get(t).get(i)).containsExactly(sequential.get(t).get(i),
                            org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void sharedLanguageAndRewardModelsGiveTheSequentialResultsAndSamplerRunsAreReproducible() throws Exception {
        try (LlamaLanguageModel lm = new LlamaLanguageModel(LlamaModelTest.model(new TinyWeights(LM, 6)),
                new CharCodec(23), LlamaOptions.builder().maxBatchSize(8).build(), true);
             LlamaRewardModel rm = new LlamaRewardModel(LlamaModelTest.model(new TinyWeights(RM, 7)), null,
                     LlamaOptions.builder().maxBatchSize(8).build(), true)) {
            SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(12);
            IntFunction<Callable<List<Object>>> work = t -> () -> {
                Prompt p = lm.prompt("thread " + t);
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    List<GenerationRequest> reqs = List.of(GenerationRequest.fresh(p, 100L * t + i),
                            new GenerationRequest(p, TokenIds.of(5, 6), 100L * t + i + 50));
                    List<Generation> gs = lm.generate(reqs, cfg);
                    List<RewardRequest> rr = gs.stream().map(g -> new RewardRequest(p, g.completion(), g.text()))
                            .toList();
                    List<Reward> rs = rm.score(rr);
                    for (int j = 0; j < gs.size(); j++) {
                        out.add(gs.get(j).completion());
                        out.add(rs.get(j).value());
                    }
                }
                // a whole QAlign run per thread on the shared models, seeded per thread
                QAlignSampler sampler = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1.0).steps(4)
                        .chainsPerPrompt(2).sampling(cfg).build();
                for (PromptResult pr : sampler.run(List.of(p), new SplittableRandom(t)).prompts()) {
                    for (ScoredSample s : pr.samples()) {
                        out.add(s.completion());
                    }
                }
                return out;
            };
            List<List<Object>> sequential = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                sequential.add(work.apply(t).call());
            }
            for (int rep = 0; rep < 1; rep++) {
                List<List<Object>> concurrent = onThreads(work);
                for (int t = 0; t < THREADS; t++) {
                    List<Object> c = concurrent.get(t);
                    List<Object> s = sequential.get(t);
                    assertThat(c).hasSameSizeAs(s);
                    for (int i = 0; i < s.size(); i++) {
                        if (s.get(i) instanceof Double d) {
                            // the KV prefix a score reuses depends on what other threads left in the cache:
                            // equal up to float rounding
                            assertThat((Double) c.get(i)).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-4));
                        } else {
                            assertThat(c.get(i)).as("thread %d item %d", t, i).isEqualTo(s.get(i));
                        }
                    }
                }
            }
        }
    }

    @Test
    void closingWhileOtherThreadsRunGivesIllegalStateExceptionsNeverACrash() throws Exception {
        LlamaModel model = LlamaModelTest.model(new TinyWeights(LM, 8));
        KvCache cache = model.newCache(2 * THREADS, 64);
        CountDownLatch running = new CountDownLatch(THREADS);
        List<Future<String>> fs = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(THREADS);
        try {
            for (int t = 0; t < THREADS; t++) {
                int slot = 2 * t;
                fs.add(ex.submit(() -> {
                    SplittableRandom r = new SplittableRandom(slot);
                    running.countDown();
                    try {
                        for (int i = 0; i < 100_000; i++) {
                            cache.truncate(slot, 0);
                            model.forward(cache, new int[] {slot},
                                    new int[][] {LlamaModelTest.randomIds(r, 8, LM.vocabSize())},
                                    LlamaModel.Head.LOGITS);
                            cache.copyPrefix(slot, slot + 1, 3);
                        }
                        return "finished";
                    } catch (IllegalStateException e) {
                        return e.getMessage();
                    }
                }));
            }
            running.await();
            Thread.sleep(200);
            if (THREADS % 2 == 0) {
                cache.close();
            }
            model.close();
            for (Future<String> f : fs) {
                assertThat(f.get(60, TimeUnit.SECONDS)).containsAnyOf("KvCache is closed", "LlamaModel is closed");
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> cache.length(0)))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            ex.shutdownNow();
            model.close();
        }
    }
}
